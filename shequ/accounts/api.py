from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.contrib.auth import authenticate
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from shequ.accounts import services, tokens
from shequ.accounts.selectors import (
    CHOOSER_LEVELS,
    access_pending_residency,
    household_label,
    is_committee_verifier,
    pending_residencies_for,
    place_choices,
    user_roles,
)
from shequ.core.errors import Invalid, Unauthorized
from shequ.core.masking import mask_phone
from shequ.core.net import client_ip
from shequ.core.pagination import Page, PageQuery, api_page, paged
from shequ.core.schemas import local_iso
from shequ.directory.models import Place, PlaceKind

router = Router(tags=["accounts"])


class LoginIn(Schema):
    phone: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"


class MembershipOut(Schema):
    party_id: int
    party_name: str
    party_kind: str
    role: str


class ResidencyOut(Schema):
    household_id: int
    household: str
    relation: str
    status: str


class MeOut(Schema):
    id: int
    phone: str
    real_name: str
    is_observer: bool
    memberships: list[MembershipOut]
    residencies: list[ResidencyOut]


@router.post(
    "/auth/login", auth=None, response={200: TokenOut}, summary="登录，换取令牌 / Log in for a token"
)
def login(request: HttpRequest, payload: LoginIn):
    from axes.exceptions import AxesBackendPermissionDenied  # noqa: PLC0415

    try:
        user = authenticate(request, username=payload.phone.strip(), password=payload.password)
    except AxesBackendPermissionDenied:
        user = None
        locked = True
    else:
        locked = bool(getattr(request, "axes_locked_out", False))
    if locked:
        err = Unauthorized(
            "尝试次数过多，请15分钟后再试。", "Too many attempts; try again in 15 minutes.", code="locked_out"
        )
        err.status = 429
        raise err
    if user is None:
        raise Unauthorized("手机号或密码不正确。", "Wrong phone number or password.", code="bad_credentials")
    return {"token": tokens.token_issue(user=user, request=request)}


@router.get("/me", response=MeOut, summary="当前用户 / The current user")
def me(request: HttpRequest):
    user = request.auth  # type: ignore[attr-defined]
    roles = user_roles(user=user)
    return {
        "id": user.id,
        "phone": user.phone,
        "real_name": user.real_name,
        "is_observer": roles.is_observer,
        "memberships": [
            {"party_id": m.party_id, "party_name": m.party.name, "party_kind": m.party.kind, "role": m.role}
            for m in roles.memberships
        ],
        "residencies": [_residency_out(r) for r in roles.residencies],
    }


# --- registration, password, verification --------------------------------------------------------------


class RegisterIn(Schema):
    phone: str
    real_name: str
    password: str
    household_id: int
    relation: str


class RegisterReceivedOut(Schema):
    """The one answer to every accepted registration, whether or not the phone already had an account."""

    received: bool = True
    message: str
    message_zh: str
    message_en: str
    login: str = "/api/v1/auth/login"


REGISTER_RECEIVED_ZH = (
    "已收到注册申请。请用这个手机号和您设置的密码登录。"
    "如果这个手机号以前注册过，我们已给它发了短信：请用原来的密码登录，忘记密码请联系社区居委会重置。"
)
REGISTER_RECEIVED_EN = (
    "Registration received. Log in with this phone number and the password you chose. "
    "If the number was registered before, we have sent it a text message: log in with the earlier "
    "password, or ask the residents' committee to reset a forgotten one."
)


class PlaceOption(Schema):
    id: int
    name: str


class ChooserLevel(Schema):
    level: str
    options: list[PlaceOption]
    selected: int | None


class PasswordIn(Schema):
    old_password: str
    new_password: str


class ResidencyIn(Schema):
    household_id: int
    relation: str


class PendingOut(Schema):
    id: int
    user_id: int
    real_name: str
    phone: str
    household_id: int
    household: str
    relation: str
    created_at: str


class RejectIn(Schema):
    reason: str


def _household(household_id: int) -> Place:
    place = Place.objects.filter(pk=household_id, kind=PlaceKind.HOUSEHOLD).first()
    if place is None:
        raise Invalid(
            "请选择您家的房屋（户）。",
            "Choose your household.",
            code="household_invalid",
            fields={"household_id": "请选择您家的房屋（户）。"},
        )
    return place


def _residency_out(r) -> dict:
    return {
        "household_id": r.household_id,
        "household": household_label(r.household),
        "relation": r.relation,
        "status": r.status,
    }


@router.get(
    "/register/places",
    auth=None,
    response=Page[ChooserLevel],
    summary="选择房屋：各级可选项 / Household chooser options",
)
@paged
def register_places(
    request: HttpRequest,
    street: int | None = None,
    community: int | None = None,
    compound: int | None = None,
    building: int | None = None,
    unit: int | None = None,
    household: int | None = None,
):
    selected = {
        "street": street,
        "community": community,
        "compound": compound,
        "building": building,
        "unit": unit,
        "household": household,
    }
    options, chosen = place_choices(selected=selected)
    return [
        {
            "level": level,
            "options": [{"id": pk, "name": name} for pk, name in options[level]],
            "selected": chosen[level],
        }
        for level in CHOOSER_LEVELS
        if options[level]
    ]


@router.post(
    "/auth/register",
    auth=None,
    response={202: RegisterReceivedOut},
    summary="住户注册（待认证） / Register as a resident (pending verification)",
)
def register(request: HttpRequest, payload: RegisterIn):
    """The same answer whether or not the phone already has an account (its owner is told instead), and
    no token: the registrant logs in with `POST /auth/login`."""
    services.user_register(
        phone=payload.phone,
        real_name=payload.real_name,
        password=payload.password,
        household=_household(payload.household_id),
        relation=payload.relation,
        client_address=client_ip(request),
    )
    return Status(
        202,
        {
            "message": REGISTER_RECEIVED_ZH,
            "message_zh": REGISTER_RECEIVED_ZH,
            "message_en": REGISTER_RECEIVED_EN,
        },
    )


@router.post("/me/password", response={204: None}, summary="修改密码 / Change password")
def password_change(request: HttpRequest, payload: PasswordIn):
    services.user_password_change(
        user=request.auth,  # type: ignore[attr-defined]
        old_password=payload.old_password,
        new_password=payload.new_password,
        keep_token=getattr(request, "api_token", None),
        keep_session_key=request.session.session_key if hasattr(request, "session") else None,
    )
    return Status(204, None)


# --- logins: where am I logged in, log out ----------------------------------------------------------


class LoginOut(Schema):
    kind: str
    id: int
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    device: str
    current: bool


@router.post("/auth/logout", response={204: None}, summary="退出登录（令牌作废） / Log out (ends this token)")
def logout(request: HttpRequest):
    token = getattr(request, "api_token", None)
    if token is not None:
        tokens.token_revoke(user=request.auth, token_id=token.pk)  # type: ignore[attr-defined]
    else:
        auth_logout(request)
    return Status(204, None)


@router.get("/me/logins", response=Page[LoginOut], summary="我的登录设备 / Where I am logged in")
@paged
def logins(request: HttpRequest):
    return tokens.logins_for(
        user=request.auth,  # type: ignore[attr-defined]
        session_key=request.session.session_key if hasattr(request, "session") else None,
        token=getattr(request, "api_token", None),
    )


@router.post("/me/logins/{kind}/{login_id}/end", response={204: None}, summary="结束一个登录 / End a login")
def login_end(request: HttpRequest, kind: Literal["web", "api"], login_id: int):
    if kind == "api":
        tokens.token_revoke(user=request.auth, token_id=login_id)  # type: ignore[attr-defined]
    else:
        tokens.session_end(user=request.auth, session_id=login_id)  # type: ignore[attr-defined]
    return Status(204, None)


@router.post("/me/residencies", response={201: ResidencyOut}, summary="登记房屋 / Ask to join a household")
def residency_request(request: HttpRequest, payload: ResidencyIn):
    residency = services.residency_request(
        user=request.auth,  # type: ignore[attr-defined]  # ninja sets .auth after authentication
        household=_household(payload.household_id),
        relation=payload.relation,
    )
    return Status(201, _residency_out(residency))


@router.get("/residencies/pending", response=Page[PendingOut], summary="待认证住户 / Verification queue")
def residencies_pending(request: HttpRequest, paging: Query[PageQuery]):
    user = request.auth  # type: ignore[attr-defined]
    # Like the page: only the committee, who may reset passwords and call people, sees full phones;
    # a household's owner verifying a family member sees them masked.
    full = is_committee_verifier(user=user)

    def present(rows: list) -> list:
        return [
            {
                "id": r.pk,
                "user_id": r.user_id,
                "real_name": r.user.real_name,
                "phone": r.user.phone if full else mask_phone(r.user.phone),
                "household_id": r.household_id,
                "household": household_label(r.household),
                "relation": r.relation,
                "created_at": local_iso(r.created_at),
            }
            for r in rows
        ]

    # A keyset page of the queue's queryset (created_at, id): only the page's rows are loaded.
    return api_page(pending_residencies_for(user=user), paging, present=present)


@router.post("/residencies/{residency_id}/verify", response=ResidencyOut, summary="认证通过 / Verify")
def residency_verify(request: HttpRequest, residency_id: int):
    residency = access_pending_residency(user=request.auth, residency_id=residency_id)  # type: ignore[attr-defined]
    return _residency_out(services.residency_verify(residency=residency, actor=request.auth))  # type: ignore[attr-defined]


@router.post("/residencies/{residency_id}/reject", response=ResidencyOut, summary="认证不通过 / Reject")
def residency_reject(request: HttpRequest, residency_id: int, payload: RejectIn):
    residency = access_pending_residency(user=request.auth, residency_id=residency_id)  # type: ignore[attr-defined]
    return _residency_out(
        services.residency_reject(
            residency=residency,
            actor=request.auth,  # type: ignore[attr-defined]
            reason=payload.reason,
        )
    )
