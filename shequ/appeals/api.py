"""REST API of appeals under /api/v1/ (mounted by shequ.api.main).

    GET  /categories                               the category tree
    POST /appeals                                  file an appeal (JSON, or multipart with `photos`)
    GET  /appeals?scope=mine|assigned|public       list with filters, paginated
    GET  /appeals/{id}                             one appeal with its timeline (`events`) and `actions`
    POST /appeals/{id}/{action}                    a transition: accept, return, transfer, reply, …
    POST /appeals/{id}/follow | /unfollow          follow an appeal
    POST /appeals/{id}/photos                      add photos (multipart)
    GET  /appeals/{id}/photos/{photo_id}[?thumb=1] a photo, permission-checked

Handlers parse input, fetch through a permission-checking selector, call one service, serialise.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import ValidationError

from shequ.accounts.http import api_user
from shequ.accounts.models import User
from shequ.accounts.selectors import primary_household
from shequ.appeals import access, filing, presenter, selectors, services
from shequ.appeals import photos as photo_files
from shequ.appeals.models import Category
from shequ.appeals.presenter import PresentedAppeal
from shequ.appeals.schemas import (
    ActionIn,
    AppealDetailOut,
    AppealIn,
    AppealOut,
    CategoryOut,
    ListQuery,
)
from shequ.core import clock
from shequ.core.errors import Forbidden, Invalid
from shequ.core.http_idempotency import idempotent
from shequ.core.pagination import Page, api_page, paged
from shequ.core.schemas import ERRORS
from shequ.directory.models import Place, Spot

router = Router(tags=["appeals"])
# What the answer's place label reads (`presenter.place_label`), loaded with the place.
PLACE_LABEL_RELATED = ("community", "compound", "building", "unit")


def _body_doc(model: type[AppealIn] | type[ActionIn], *, multipart: bool) -> dict[str, Any]:
    schema = model.model_json_schema()
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if multipart:
        form = json.loads(json.dumps(schema))
        form.setdefault("properties", {})["photos"] = {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "maxItems": 9,
        }
        content["multipart/form-data"] = {"schema": form}
    return {"requestBody": {"required": False, "content": content}}


# ---------------------------------------------------------------- input parsing


def _parse(request: HttpRequest, model: type[AppealIn] | type[ActionIn]) -> tuple[Any, list[Any]]:
    """JSON body, or multipart form fields plus `photos` files."""
    content_type = (request.content_type or "").lower()
    files: list = []
    if content_type.startswith("multipart/") or content_type == "application/x-www-form-urlencoded":
        raw: dict[str, Any] = {k: v for k, v in request.POST.items() if v != ""}
        files = request.FILES.getlist("photos") if content_type.startswith("multipart/") else []
        for key in ("is_public", "solved"):
            if key in raw:
                raw[key] = str(raw[key]).lower() in ("1", "true", "yes", "on")
    else:
        try:
            raw = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise Invalid("请求内容不是有效的JSON。", "The body is not valid JSON.", code="bad_json")
        if not isinstance(raw, dict):
            raise Invalid("请求内容必须是JSON对象。", "The body must be a JSON object.", code="bad_json")
    try:
        return model.model_validate(raw), files
    except ValidationError as exc:
        fields = {".".join(str(p) for p in e["loc"]) or "request": e["msg"] for e in exc.errors()}
        raise Invalid("请求内容有误，请检查后重试。", "The request is invalid.", fields=fields)


# ---------------------------------------------------------------- output (the presenter, serialised by ninja)


def _detail(user: User, appeal_id: int) -> PresentedAppeal:
    appeal = selectors.access_appeal(user=user, appeal_id=appeal_id)
    return presenter.present_detail(appeal, user=user, now=clock.now())


def _detail_body(user: User, appeal_id: int) -> dict[str, Any]:
    """The detail as JSON-ready data, for answers that `Idempotency-Key` stores and replays."""
    return AppealDetailOut.from_orm(_detail(user, appeal_id)).model_dump(mode="json")


def _user(request: HttpRequest) -> User:
    return api_user(request)


def _fresh(user: User) -> User:
    """Forget what was worked out about the user before a write (a new appeal changes what they see)."""
    if hasattr(user, "_shequ_appeal_viewer"):
        del user._shequ_appeal_viewer
    return user


# ---------------------------------------------------------------- endpoints


@router.get("/categories", response=Page[CategoryOut], auth=None, summary="诉求分类 / Appeal categories")
@paged
def list_categories(request: HttpRequest) -> list[Category]:
    return selectors.categories()


def _place_for(body: AppealIn) -> tuple[Place | None, Spot | None]:
    """The place and spot the body names (ids parsed here; who may report where is the service's)."""
    spot = None
    if body.spot_id:
        spot = (
            Spot.objects.select_related(*(f"place__{r}" for r in PLACE_LABEL_RELATED))
            .filter(pk=body.spot_id)
            .first()
        )
        if spot is None:
            raise Invalid(
                "没有找到这个公共部位。", "No such spot.", code="spot_invalid", fields={"spot_id": "invalid"}
            )
    if body.place_id:
        place = Place.objects.select_related(*PLACE_LABEL_RELATED).filter(pk=body.place_id).first()
        if place is None:
            raise Invalid(
                "没有找到这个地点。", "No such place.", code="place_invalid", fields={"place_id": "invalid"}
            )
        return place, spot
    return (spot.place if spot is not None else None), spot


class _Filed(TypedDict):
    """What a filed appeal says, the same whoever files it (`appeal_create`, `appeal_file_for`)."""

    kind: str
    category: Category
    spot: Spot | None
    text: str
    urgency: str
    is_public: bool
    photos: list[Any]


@router.post(
    "/appeals",
    response={201: AppealDetailOut, **ERRORS},
    summary="提交诉求 / File an appeal",
    description="JSON body, or multipart/form-data with the same fields plus up to 9 `photos`. "
    "Routed to the responsible party in the same request. Send `Idempotency-Key` to make retries safe.",
    openapi_extra=_body_doc(AppealIn, multipart=True),
)
def create_appeal(request: HttpRequest):
    user = _user(request)
    body, files = _parse(request, AppealIn)
    assert isinstance(body, AppealIn)

    def work() -> tuple[int, dict]:
        category = selectors.category_by_code(code=body.category)
        place, spot = _place_for(body)
        fields: _Filed = {
            "kind": body.kind,
            "category": category,
            "spot": spot,
            "text": body.text,
            "urgency": body.urgency or category.default_urgency,
            "is_public": body.is_public,
            "photos": files,
        }
        if body.reporter_id is not None or body.reporter_phone:
            # Staff on behalf of a caller: the same rule as the page (`filing.caller_for`).
            caller = filing.caller_for(
                staff=user,
                phone=body.reporter_phone or "",
                name=body.reporter_name or "",
                user_id=body.reporter_id,
            )
            appeal = filing.appeal_file_for(
                staff=user, caller=caller, place=place, source=body.source, **fields
            )
        else:
            home = place or primary_household(user=user)
            if home is None:
                raise Invalid(
                    "请选择地点。", "Choose a place.", code="place_required", fields={"place_id": "required"}
                )
            appeal = filing.appeal_create(reporter=user, place=home, source=body.source, **fields)
        # The answer is built from the instance the service returned: no reload of the appeal.
        shown = presenter.present_detail(appeal, user=_fresh(user), now=clock.now(), just_filed=True)
        return 201, AppealDetailOut.from_orm(shown).model_dump(mode="json")

    return idempotent(request, work)


@router.get("/appeals", response={200: Page[AppealOut], **ERRORS}, summary="诉求列表 / List appeals")
def list_appeals(request: HttpRequest, filters: Query[ListQuery]):
    user = _user(request)
    qs = selectors.appeal_list(
        user=user,
        scope=filters.scope,
        status=filters.status,
        category=filters.category,
        place_id=filters.place,
        compound_id=filters.compound,
        urgency=filters.urgency,
        overdue=filters.overdue,
        kind=filters.kind,
        q=filters.q,
    )
    return api_page(qs, filters, present=lambda rows: presenter.present_all(rows, user=user, now=clock.now()))


@router.get(
    "/appeals/{int:appeal_id}",
    response={200: AppealDetailOut, **ERRORS},
    summary="诉求详情与时间线 / An appeal with its timeline",
)
def get_appeal(request: HttpRequest, appeal_id: int):
    user = _user(request)
    return _detail(user, appeal_id)


@router.get(
    "/appeals/{int:appeal_id}/photos/{int:photo_id}",
    url_name="appeal_photo",
    response={200: None, **ERRORS},
    summary="诉求照片 / A photo (`?thumb=1` for the thumbnail)",
)
def get_photo(request: HttpRequest, appeal_id: int, photo_id: int, thumb: bool = False):
    photo = selectors.access_photo(user=_user(request), appeal_id=appeal_id, photo_id=photo_id)
    return photo_files.serve(photo, thumb=thumb)


@router.post(
    "/appeals/{int:appeal_id}/photos",
    response={201: AppealDetailOut, **ERRORS},
    summary="补充照片 / Add photos (multipart `photos`)",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "photos": {
                                "type": "array",
                                "maxItems": 9,
                                "items": {"type": "string", "format": "binary"},
                            }
                        },
                    }
                }
            }
        }
    },
)
def add_photos(request: HttpRequest, appeal_id: int):
    user = _user(request)
    appeal = selectors.access_appeal(user=user, appeal_id=appeal_id)
    if not access.may_add_photos(appeal=appeal, user=user):
        raise Forbidden(
            "您不能为这条诉求补充照片。", "You may not add photos to this appeal.", code="action_forbidden"
        )
    files = request.FILES.getlist("photos")
    if not files:
        raise Invalid(
            "请选择照片。",
            "Choose at least one photo.",
            code="photos_required",
            fields={"photos": "required"},
        )

    def work() -> tuple[int, dict]:
        services.appeal_photos_add(appeal=appeal, user=user, uploads=files)
        return 201, _detail_body(_fresh(user), appeal.pk)

    return idempotent(request, work)


def _follow_endpoint(follow: bool):
    def handler(request: HttpRequest, appeal_id: int):
        user = _user(request)
        appeal = selectors.access_appeal(user=user, appeal_id=appeal_id)
        services.appeal_follow(appeal=appeal, user=user, follow=follow)
        return _detail(_fresh(user), appeal.pk)

    handler.__name__ = "follow_appeal" if follow else "unfollow_appeal"
    return handler


router.add_api_operation(
    "/appeals/{int:appeal_id}/follow",
    ["POST"],
    _follow_endpoint(True),
    response={200: AppealDetailOut, **ERRORS},
    summary="关注诉求 / Follow",
)
router.add_api_operation(
    "/appeals/{int:appeal_id}/unfollow",
    ["POST"],
    _follow_endpoint(False),
    response={200: AppealDetailOut, **ERRORS},
    summary="取消关注 / Unfollow",
)

ACTION_SUMMARIES = {
    "dispatch": "派单 / Dispatch (to_party_id)",
    "accept": "签收 / Accept",
    "return": "退单 / Return to the dispatcher (reason)",
    "redispatch": "改派 / Re-dispatch (to_party_id)",
    "transfer": "转办 / Transfer (to_party_id, reason)",
    "pause": "暂停 / Pause (reason)",
    "resume": "恢复 / Resume",
    "reply": "回复（公开）/ Public reply (text)",
    "note": "内部备注 / Internal note (text)",
    "resolve": "办结 / Resolve (text; multipart photos)",
    "confirm": "确认解决 / Confirm solved",
    "reopen": "重新办理 / Reopen (reason)",
    "rate": "评价 / Rate (solved, rating; solved on a resolved appeal confirms it first)",
    "close": "关闭 / Close (reason)",
    "merge": "合并为重复 / Merge as duplicate (into_id)",
    "escalate": "升级 / Escalate (reason, to_party_id optional)",
}


def _action_endpoint(action: str):
    def handler(request: HttpRequest, appeal_id: int):
        user = _user(request)
        appeal = selectors.access_appeal(user=user, appeal_id=appeal_id)
        body, files = _parse(request, ActionIn)
        assert isinstance(body, ActionIn)

        def work() -> tuple[int, dict]:
            data = body.model_dump(exclude_none=True)
            if action == "rate":  # the resident's answer: the same service as the page's form
                if body.solved is None:
                    raise Invalid(
                        "请选择问题是否解决。",
                        "Say whether the problem was solved.",
                        code="solved_required",
                        fields={"solved": "required"},
                    )
                services.appeal_feedback(
                    appeal=appeal,
                    user=user,
                    solved=body.solved,
                    rating=body.rating or "",
                    text=body.text or "",
                )
                return 200, _detail_body(_fresh(user), appeal.pk)
            if files:
                data["photos"] = files
            services.appeal_transition(appeal=appeal, actor=user, action=action, **data)
            return 200, _detail_body(_fresh(user), appeal.pk)

        return idempotent(request, work)

    handler.__name__ = f"appeal_{action}"
    return handler


for _action in ACTION_SUMMARIES:
    router.add_api_operation(
        f"/appeals/{{int:appeal_id}}/{_action}",
        ["POST"],
        _action_endpoint(_action),
        response={200: AppealDetailOut, **ERRORS},
        summary=ACTION_SUMMARIES[_action],
        openapi_extra=_body_doc(ActionIn, multipart=_action in ("resolve", "reply")),
    )
