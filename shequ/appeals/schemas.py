"""The API's shapes for appeals: inputs parsed by ninja, outputs filled by ninja from the presenter's
objects (`shequ.appeals.presenter`), so the API shows exactly what the pages show. Datetimes are
ISO 8601 with the offset, in local time (`LocalDateTime`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from ninja import Field, Schema
from pydantic import ConfigDict

from shequ.appeals.models import EventKind, Kind, Source, Status
from shequ.appeals.presenter import PresentedAppeal, PresentedEvent
from shequ.core.pagination import PageQuery
from shequ.core.schemas import LocalDateTime


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

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return obj.parent.code if obj.parent_id else None


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
    created_at: LocalDateTime
    dispatched_at: LocalDateTime | None
    accepted_at: LocalDateTime | None
    resolved_at: LocalDateTime | None
    closed_at: LocalDateTime | None
    accept_due_at: LocalDateTime | None
    resolve_due_at: LocalDateTime | None
    callback_due_at: LocalDateTime | None
    overdue: bool
    rating: str | None
    solved: bool | None
    closed_unrated: bool
    merged_into: int | None
    url: str

    @staticmethod
    def resolve_id(obj: PresentedAppeal) -> int:
        return obj.appeal.pk

    @staticmethod
    def resolve_kind_label(obj: PresentedAppeal) -> str:
        return str(Kind(obj.kind).label)

    @staticmethod
    def resolve_status_label(obj: PresentedAppeal) -> str:
        return str(Status(obj.status).label)

    @staticmethod
    def resolve_text(obj: PresentedAppeal) -> str:
        return obj.display_text

    @staticmethod
    def resolve_place(obj: PresentedAppeal) -> dict[str, Any]:
        return {
            "id": None if obj.masked else obj.place_id,
            "label": obj.display_place,
            "compound_id": obj.compound_id,
            "building_id": obj.building_id,
        }

    @staticmethod
    def resolve_reporter(obj: PresentedAppeal) -> dict[str, str]:
        return {"name": obj.display_reporter, "phone": obj.display_reporter_phone}

    @staticmethod
    def resolve_merged_into(obj: PresentedAppeal) -> int | None:
        return obj.merged_into_id

    @staticmethod
    def resolve_url(obj: PresentedAppeal) -> str:
        return reverse("appeals:detail", args=[obj.appeal.pk])


class PhotoOut(Schema):
    id: int
    stage: str
    url: str
    thumb_url: str
    width: int
    height: int

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("api:appeal_photo", kwargs={"appeal_id": obj.appeal_id, "photo_id": obj.pk})

    @staticmethod
    def resolve_thumb_url(obj: Any) -> str:
        return PhotoOut.resolve_url(obj) + "?thumb=1"


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    created_at: LocalDateTime
    actor: str
    party: PartyRef | None
    is_public: bool
    text: str
    data: dict[str, Any]
    photos: list[int]

    @staticmethod
    def resolve_id(obj: PresentedEvent) -> int:
        return obj.event.pk

    @staticmethod
    def resolve_kind_label(obj: PresentedEvent) -> str:
        return str(EventKind(obj.kind).label)

    @staticmethod
    def resolve_actor(obj: PresentedEvent) -> str:
        return obj.actor_label

    @staticmethod
    def resolve_text(obj: PresentedEvent) -> str:
        return obj.display_text

    @staticmethod
    def resolve_data(obj: PresentedEvent) -> dict[str, Any]:
        data = dict(obj.event.data or {})
        data.pop("filed_by", None)  # who filed it stays with the staff
        return data

    @staticmethod
    def resolve_photos(obj: PresentedEvent) -> list[int]:
        return [p.pk for p in obj.event.photos.all()]


class AppealDetailOut(AppealOut):
    outcome: str
    helper_party: PartyRef | None
    fee_waived: bool
    is_following: bool
    followers_count: int
    events: list[EventOut]
    photos: list[PhotoOut]
    actions: list[str]

    @staticmethod
    def resolve_outcome(obj: PresentedAppeal) -> str:
        return obj.display_outcome

    @staticmethod
    def resolve_photos(obj: PresentedAppeal) -> list[Any]:
        return obj.visible_photos


class AppealIn(Schema):
    """Body of POST /appeals (JSON, or the same fields as multipart form data with `photos`)."""

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
    reporter_phone: str | None = Field(
        default=None,
        description="or the caller's phone: a resident of the places you serve becomes the reporter; "
        "anyone else is filed as a caller without an account (their phone and `reporter_name` on an "
        "internal note) — the answer never says whether a phone is registered",
    )
    reporter_name: str | None = Field(default=None, max_length=50, description="the caller's name")


class ActionIn(Schema):
    """Body of POST /appeals/{id}/{action}; each action reads what it needs."""

    model_config = ConfigDict(extra="ignore")
    reason: str | None = None
    text: str | None = None
    to_party_id: int | None = None
    rating: str | None = Field(default=None, description="satisfied|basically|unsatisfied")
    solved: bool | None = None
    into_id: int | None = Field(default=None, description="merge: the original appeal")
    reason_code: str | None = None


class ListQuery(PageQuery):
    scope: str = Field("mine", description="mine | assigned | public")
    status: str | None = Field(None, description="a status, a comma-separated list, or `open`")
    category: str | None = Field(None, description="category code (a parent includes its children)")
    place: int | None = Field(None, description="place id (building, compound, community …)")
    compound: int | None = None
    urgency: str | None = None
    kind: str | None = None
    overdue: bool | None = None
    q: str | None = Field(None, description="search in the number and the text (workbench queue)")
    page_size: int = Field(20, ge=1, le=100)
