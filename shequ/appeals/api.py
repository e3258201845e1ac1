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
from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import NoReverseMatch, reverse
from ninja import Query, Router, Schema
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shequ.accounts.models import User
from shequ.accounts.selectors import primary_household
from shequ.api.idempotency import idempotent
from shequ.appeals import selectors, services
from shequ.appeals.models import (
    AWAITING_ACCEPT,
    OPEN_STATUSES,
    Appeal,
    AppealEvent,
    AppealPhoto,
    EventKind,
    Kind,
    Source,
    Status,
)
from shequ.core import clock
from shequ.core.errors import Forbidden, Invalid, NotFound
from shequ.core.pagination import fetch_page
from shequ.directory.models import Place, Spot

router = Router(tags=["appeals"])

MAX_PAGE_SIZE = 100


# ---------------------------------------------------------------- schemas (documentation and output)


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent: str | None
    default_party_kind: str
    default_urgency: str
    time_class: str
    is_consultation: bool
    icon: str


class CategoryRef(Schema):
    code: str
    name: str


class PartyRef(Schema):
    id: int
    name: str
    kind: str


class PersonOut(Schema):
    name: str
    phone: str


class PlaceOut(Schema):
    id: int | None
    label: str
    compound_id: int | None
    building_id: int | None


class AppealOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    category: CategoryRef
    urgency: str
    text: str
    place: PlaceOut
    source: str
    is_public: bool
    reporter: PersonOut
    responsible_party: PartyRef | None
    first_party: PartyRef | None
    escalation_level: int
    escalated_to: PartyRef | None
    created_at: str
    dispatched_at: str | None
    accepted_at: str | None
    resolved_at: str | None
    closed_at: str | None
    accept_due_at: str | None
    resolve_due_at: str | None
    callback_due_at: str | None
    overdue: bool
    rating: str | None
    solved: bool | None
    closed_unrated: bool
    merged_into: int | None
    url: str


class PhotoOut(Schema):
    id: int
    stage: str
    url: str
    thumb_url: str
    width: int
    height: int


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    created_at: str
    actor: str
    party: PartyRef | None
    is_public: bool
    text: str
    data: dict
    photos: list[int]


class AppealDetailOut(AppealOut):
    outcome: str
    helper_party: PartyRef | None
    fee_waived: bool
    is_following: bool
    followers_count: int
    events: list[EventOut]
    photos: list[PhotoOut]
    actions: list[str]


class AppealPage(Schema):
    items: list[AppealOut]
    count: int
    page: int
    page_size: int


class ErrorBody(Schema):
    code: str
    message: str
    message_zh: str
    message_en: str
    fields: dict


class ErrorOut(Schema):
    error: ErrorBody


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class AppealIn(BaseModel):
    """Body of POST /appeals."""

    model_config = ConfigDict(extra="ignore")
    kind: str = Field(default=Kind.HELP, description="consult|help|complaint|report|suggestion|praise")
    category: str = Field(description="category code, e.g. `lift`")
    text: str = Field(max_length=2000)
    place_id: int | None = Field(default=None, description="default: the reporter's household")
    spot_id: int | None = None
    urgency: str | None = Field(default=None, description="normal|urgent|emergency (default: the category's)")
    is_public: bool = True
    source: str = Source.APP
    reporter_id: int | None = Field(default=None, description="staff filing on behalf of this resident")
    reporter_phone: str | None = Field(default=None, description="or the resident's phone")


class ActionIn(BaseModel):
    """Body of POST /appeals/{id}/{action}; each action reads what it needs."""

    model_config = ConfigDict(extra="ignore")
    reason: str | None = None
    text: str | None = None
    to_party_id: int | None = None
    rating: str | None = Field(default=None, description="satisfied|basically|unsatisfied")
    solved: bool | None = None
    into_id: int | None = Field(default=None, description="merge: the original appeal")
    reason_code: str | None = None


def _body_doc(model: type[BaseModel], *, multipart: bool) -> dict:
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


def _parse(request: HttpRequest, model: type[BaseModel]) -> tuple[BaseModel, list]:
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


# ---------------------------------------------------------------- serialisation


def _party(p) -> dict | None:
    return {"id": p.pk, "name": p.name, "kind": p.kind} if p is not None else None


def _is_overdue(appeal: Appeal, now) -> bool:
    if appeal.status in AWAITING_ACCEPT and appeal.accept_due_at and appeal.accept_due_at < now:
        return True
    return (
        appeal.status in OPEN_STATUSES
        and appeal.status != Status.PAUSED
        and appeal.resolve_due_at is not None
        and appeal.resolve_due_at < now
    )


def appeal_dict(appeal: Appeal, viewer: selectors.Viewer, *, now=None) -> dict:
    masked = not viewer.sees_full(appeal)
    iso = selectors.local_iso
    return {
        "id": appeal.pk,
        "number": appeal.number,
        "kind": appeal.kind,
        "kind_label": str(Kind(appeal.kind).label),
        "status": appeal.status,
        "status_label": str(Status(appeal.status).label),
        "category": {"code": appeal.category.code, "name": appeal.category.name},
        "urgency": appeal.urgency,
        "text": selectors.display_text(appeal.text, masked=masked),
        "place": {
            "id": None if masked else appeal.place_id,
            "label": selectors.place_label(appeal=appeal, masked=masked),
            "compound_id": appeal.compound_id,
            "building_id": appeal.building_id,
        },
        "source": appeal.source,
        "is_public": appeal.is_public,
        "reporter": selectors.reporter_label(appeal=appeal, masked=masked),
        "responsible_party": _party(appeal.responsible_party),
        "first_party": _party(appeal.first_party),
        "escalation_level": appeal.escalation_level,
        "escalated_to": _party(appeal.escalated_to),
        "created_at": iso(appeal.created_at),
        "dispatched_at": iso(appeal.dispatched_at),
        "accepted_at": iso(appeal.accepted_at),
        "resolved_at": iso(appeal.resolved_at),
        "closed_at": iso(appeal.closed_at),
        "accept_due_at": iso(appeal.accept_due_at),
        "resolve_due_at": iso(appeal.resolve_due_at),
        "callback_due_at": iso(appeal.callback_due_at),
        "overdue": _is_overdue(appeal, now or clock.now()),
        "rating": appeal.rating,
        "solved": appeal.solved,
        "closed_unrated": appeal.closed_unrated,
        "merged_into": appeal.merged_into_id,
        "url": _page_url(appeal.pk),
    }


def _page_url(appeal_id: int) -> str:
    try:
        return reverse("appeals:detail", args=[appeal_id])
    except NoReverseMatch:
        return f"/appeals/{appeal_id}/"


def _photo_dict(photo: AppealPhoto) -> dict:
    url = reverse("api:appeal_photo", kwargs={"appeal_id": photo.appeal_id, "photo_id": photo.pk})
    return {
        "id": photo.pk,
        "stage": photo.stage,
        "url": url,
        "thumb_url": f"{url}?thumb=1",
        "width": photo.width,
        "height": photo.height,
    }


def _event_dict(event: AppealEvent, *, masked: bool) -> dict:
    data = dict(event.data or {})
    data.pop("filed_by", None)
    return {
        "id": event.pk,
        "kind": event.kind,
        "kind_label": str(EventKind(event.kind).label),
        "created_at": selectors.local_iso(event.created_at),
        "actor": selectors.actor_label(event=event, masked=masked),
        "party": _party(event.party),
        "is_public": event.is_public,
        "text": selectors.display_text(event.text, masked=masked),
        "data": data,
        "photos": [p.pk for p in event.photos.all()],
    }


def appeal_detail_dict(appeal: Appeal, user) -> dict:
    viewer = selectors.viewer_for(user=user)
    masked = not viewer.sees_full(appeal)
    out = appeal_dict(appeal, viewer)
    events = selectors.appeal_timeline(appeal=appeal, user=user)
    following = appeal.followers.filter(pk=user.pk).exists()
    out.update(
        {
            "outcome": selectors.display_text(appeal.outcome, masked=masked),
            "helper_party": _party(appeal.helper_party),
            "fee_waived": appeal.fee_waived,
            "is_following": following,
            "followers_count": appeal.followers.count(),
            "events": [_event_dict(e, masked=masked) for e in events],
            "photos": [_photo_dict(p) for p in selectors.appeal_photos(appeal=appeal, user=user)],
            "actions": selectors.appeal_actions(appeal=appeal, user=user),
        }
    )
    return out


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _reload(user, appeal_id: int) -> Appeal:
    if hasattr(user, "_shequ_appeal_viewer"):
        del user._shequ_appeal_viewer
    return selectors.access_appeal(user=user, appeal_id=appeal_id)


# ---------------------------------------------------------------- endpoints


@router.get("/categories", response=list[CategoryOut], auth=None, summary="诉求分类 / Appeal categories")
def list_categories(request: HttpRequest):
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "parent": c.parent.code if c.parent_id else None,
            "default_party_kind": c.default_party_kind,
            "default_urgency": c.default_urgency,
            "time_class": c.time_class,
            "is_consultation": c.is_consultation,
            "icon": c.icon,
        }
        for c in selectors.categories()
    ]


def _resolve_reporter(user: User, body: AppealIn) -> tuple[User, User | None]:
    if body.reporter_id is None and not body.reporter_phone:
        return user, None
    qs = User.objects.filter(is_active=True)
    other = (
        qs.filter(pk=body.reporter_id).first()
        if body.reporter_id
        else qs.filter(phone=(body.reporter_phone or "").strip()).first()
    )
    if other is None:
        raise Invalid(
            "没有找到这位居民。",
            "No such resident.",
            code="reporter_invalid",
            fields={"reporter_id": "not found"},
        )
    if other.pk == user.pk:
        return user, None
    return other, user


def _place_for(user: User, reporter: User, body: AppealIn) -> tuple[Place, Spot | None]:
    spot = None
    if body.spot_id:
        spot = Spot.objects.select_related("place").filter(pk=body.spot_id).first()
        if spot is None:
            raise Invalid(
                "没有找到这个公共部位。", "No such spot.", code="spot_invalid", fields={"spot_id": "invalid"}
            )
    if body.place_id:
        place = Place.objects.filter(pk=body.place_id).first()
        if place is None:
            raise Invalid(
                "没有找到这个地点。", "No such place.", code="place_invalid", fields={"place_id": "invalid"}
            )
        return place, spot
    if spot is not None:
        return spot.place, spot
    home = primary_household(user=reporter)
    if home is None:
        raise Invalid(
            "请选择地点。", "Choose a place.", code="place_required", fields={"place_id": "required"}
        )
    return home, spot


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
        reporter, filed_by = _resolve_reporter(user, body)
        place, spot = _place_for(user, reporter, body)
        appeal = services.appeal_create(
            reporter=reporter,
            kind=body.kind,
            category=category,
            place=place,
            text=body.text,
            urgency=body.urgency or category.default_urgency,
            spot=spot,
            source=body.source,
            filed_by=filed_by,
            is_public=body.is_public,
            photos=files,
        )
        return 201, appeal_detail_dict(_reload(user, appeal.pk), user)

    return idempotent(request, work)


class ListQuery(Schema):
    scope: str = Field("mine", description="mine | assigned | public")
    status: str | None = Field(None, description="a status, a comma-separated list, or `open`")
    category: str | None = Field(None, description="category code (a parent includes its children)")
    place: int | None = Field(None, description="place id (building, compound, community …)")
    compound: int | None = None
    urgency: str | None = None
    kind: str | None = None
    overdue: bool | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


@router.get("/appeals", response={200: AppealPage, **ERRORS}, summary="诉求列表 / List appeals")
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
    )
    count = qs.count()
    start = (filters.page - 1) * filters.page_size
    rows = fetch_page(qs, start, start + filters.page_size) if start < count else []
    viewer = selectors.viewer_for(user=user)
    now = clock.now()
    return {
        "items": [appeal_dict(a, viewer, now=now) for a in rows],
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
    }


@router.get(
    "/appeals/{int:appeal_id}",
    response={200: AppealDetailOut, **ERRORS},
    summary="诉求详情与时间线 / An appeal with its timeline",
)
def get_appeal(request: HttpRequest, appeal_id: int):
    user = _user(request)
    appeal = selectors.access_appeal(user=user, appeal_id=appeal_id)
    return appeal_detail_dict(appeal, user)


@router.get(
    "/appeals/{int:appeal_id}/photos/{int:photo_id}",
    url_name="appeal_photo",
    response={200: None, **ERRORS},
    summary="诉求照片 / A photo (`?thumb=1` for the thumbnail)",
)
def get_photo(request: HttpRequest, appeal_id: int, photo_id: int, thumb: bool = False):
    photo = selectors.access_photo(user=_user(request), appeal_id=appeal_id, photo_id=photo_id)
    field = photo.thumbnail if thumb else photo.image
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise NotFound("照片文件不存在。", "The photo file is missing.")
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
    viewer = selectors.viewer_for(user=user)
    if not (viewer.reporter_side(appeal) or selectors.appeal_actions(appeal=appeal, user=user)):
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
        return 201, appeal_detail_dict(_reload(user, appeal.pk), user)

    return idempotent(request, work)


def _follow_endpoint(follow: bool):
    def handler(request: HttpRequest, appeal_id: int):
        user = _user(request)
        appeal = selectors.access_appeal(user=user, appeal_id=appeal_id)
        services.appeal_follow(appeal=appeal, user=user, follow=follow)
        return appeal_detail_dict(_reload(user, appeal.pk), user)

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
    "rate": "评价 / Rate (solved, rating)",
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
            if files:
                data["photos"] = files
            services.appeal_transition(appeal=appeal, actor=user, action=action, **data)
            return 200, appeal_detail_dict(_reload(user, appeal.pk), user)

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
