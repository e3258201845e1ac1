"""REST: notices feed, list, detail, create, read, unread households, and posting rights."""

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from shequ.accounts.http import api_user
from shequ.core.errors import NotFound
from shequ.core.pagination import Page, paged
from shequ.directory.models import Party, Place, PlaceKind
from shequ.notices import selectors, services
from shequ.notices.models import Channel

router = Router(tags=["notices"])


class AttachmentOut(Schema):
    id: int
    kind: str
    name: str
    size: int
    url: str


class NoticeOut(Schema):
    id: int
    channel: str
    channel_label: str
    title: str
    party_id: int
    party: str
    place_id: int
    place: str
    is_pinned: bool
    is_public: bool
    publish_at: datetime
    expires_at: datetime | None
    read_count: int
    is_read: bool

    @staticmethod
    def resolve_channel_label(obj) -> str:
        return obj.get_channel_display()

    @staticmethod
    def resolve_party(obj) -> str:
        return obj.party.name

    @staticmethod
    def resolve_place(obj) -> str:
        return obj.place.name

    @staticmethod
    def resolve_is_read(obj) -> bool:
        return bool(getattr(obj, "is_read", False))


class NoticeDetailOut(NoticeOut):
    body: str
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj, context) -> list[dict]:
        request = context["request"]
        return [
            {
                "id": a.pk,
                "kind": a.kind,
                "name": a.name,
                "size": a.size,
                "url": request.build_absolute_uri(reverse("notices:attachment", args=[obj.pk, a.pk])),
            }
            for a in obj.attachments.all()
        ]


class NoticeIn(Schema):
    party_id: int
    channel: Channel
    place_id: int
    title: str
    body: str
    is_pinned: bool = False
    is_public: bool = True
    publish_at: datetime | None = None
    expires_at: datetime | None = None


class RightOut(Schema):
    party_id: int
    party: str
    channel: str
    place_ids: list[int]


class UnreadOut(Schema):
    household_id: int
    household: str
    residents: list[str]


@router.get("/notices/feed", response=Page[NoticeOut], summary="我家的公告 / My household's notices")
@paged
def feed(request: HttpRequest, channel: Channel | None = None):
    return selectors.feed_for(user=api_user(request), channel=channel)


@router.get("/notices", response=Page[NoticeOut], summary="本单位发布的公告 / My organisation's notices")
@paged
def party_list(request: HttpRequest, channel: Channel | None = None):
    return selectors.party_notices(user=api_user(request), channel=channel)


@router.get("/notices/rights", response=Page[RightOut], summary="我可以发布的频道和范围 / Where I may post")
@paged
def rights(request: HttpRequest):
    return [
        {
            "party_id": r.party.pk,
            "party": r.party.name,
            "channel": r.channel,
            "place_ids": sorted(r.place_ids),
        }
        for r in selectors.posting_rights(user=api_user(request))
    ]


@router.get("/notices/{notice_id}", response=NoticeDetailOut, summary="公告详情 / A notice")
def detail(request: HttpRequest, notice_id: int):
    notice = selectors.access_notice(user=api_user(request), notice_id=notice_id)
    return notice


@router.post("/notices", response={201: NoticeDetailOut}, summary="发布公告 / Post a notice")
def create(request: HttpRequest, payload: NoticeIn):
    party = Party.objects.filter(pk=payload.party_id).first()
    place = Place.objects.filter(pk=payload.place_id).first()
    if party is None or place is None:
        raise NotFound("发布单位或地点不存在。", "Organisation or place not found.")
    notice = services.notice_create(
        author=api_user(request),
        party=party,
        channel=payload.channel,
        place=place,
        title=payload.title,
        body=payload.body,
        is_pinned=payload.is_pinned,
        is_public=payload.is_public,
        publish_at=payload.publish_at,
        expires_at=payload.expires_at,
    )
    return Status(201, notice)


@router.post(
    "/notices/{notice_id}/attachments",
    response={201: list[AttachmentOut]},
    summary="添加附件（图片或PDF） / Add attachments (multipart, field `files`)",
)
def attachments_add(request: HttpRequest, notice_id: int, files: File[list[UploadedFile]]):
    notice = selectors.access_notice(user=api_user(request), notice_id=notice_id)
    added = services.notice_attachments_add(actor=api_user(request), notice=notice, files=files)
    return Status(
        201,
        [
            {
                "id": a.pk,
                "kind": a.kind,
                "name": a.name,
                "size": a.size,
                "url": request.build_absolute_uri(reverse("notices:attachment", args=[notice.pk, a.pk])),
            }
            for a in added
        ],
    )


@router.post("/notices/{notice_id}/read", response=NoticeOut, summary="标记已读 / Mark read")
def read(request: HttpRequest, notice_id: int):
    notice = selectors.access_notice(user=api_user(request), notice_id=notice_id)
    services.notice_mark_read(notice=notice, user=api_user(request))
    notice.is_read = True  # type: ignore[attr-defined]  # the schema's is_read (resolve_is_read), this answer only
    return notice


@router.get(
    "/notices/{notice_id}/unread/{building_id}",
    response=Page[UnreadOut],
    summary="本楼未读住户 / Households that have not read it",
)
@paged
def unread(request: HttpRequest, notice_id: int, building_id: int):
    notice = selectors.access_notice(user=api_user(request), notice_id=notice_id)
    building = get_object_or_404(Place, pk=building_id, kind=PlaceKind.BUILDING)
    return [
        {
            "household_id": r.household.pk,
            "household": f"{r.household.unit.name if r.household.unit else ''}{r.household.name}",
            "residents": r.residents,
        }
        for r in selectors.unread_households(user=api_user(request), notice=notice, building=building)
    ]
