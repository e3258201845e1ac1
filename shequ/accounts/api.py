from __future__ import annotations

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema

from shequ.accounts.selectors import user_roles
from shequ.api.auth import issue_token
from shequ.core.errors import Unauthorized

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


@router.post("/auth/login", auth=None, response={200: TokenOut}, summary="登录，换取令牌 / Log in for a token")
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
    return {"token": issue_token(user=user)}


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
        "residencies": [
            {"household_id": r.household_id, "household": r.household.full_name(), "relation": r.relation,
             "status": r.status}
            for r in roles.residencies
        ],
    }
