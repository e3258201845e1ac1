"""REST: coordination meetings (convene, answer, attendance, minutes, decisions, action items, close)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from shequ.core.errors import Invalid, NotFound
from shequ.core.pagination import Page, paged
from shequ.directory.models import Party, Place
from shequ.meetings import action_items, selectors, services
from shequ.meetings.models import Meeting
from shequ.meetings.options import appeal_choices, decision_or_none, parties_by_ids, slot_choices

router = Router(tags=["meetings"])


class InvitationOut(Schema):
    id: int
    party_id: int
    party: str
    answer: str
    delegate_name: str

    @staticmethod
    def resolve_party(obj) -> str:
        return obj.party.name


class AttendanceOut(Schema):
    name: str
    party_id: int | None
    for_label: str


class DecisionOut(Schema):
    id: int
    text: str


class ActionItemOut(Schema):
    id: int
    meeting_id: int
    description: str
    responsible_party_id: int
    responsible_party: str
    due_at: datetime
    status: str
    overdue: bool
    escalation_level: int
    escalated_to_id: int | None
    done_at: datetime | None
    done_note: str

    @staticmethod
    def resolve_responsible_party(obj) -> str:
        return obj.responsible_party.name

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return action_items.is_overdue(item=obj)


class AgendaOut(Schema):
    title: str
    appeal_id: int | None


class MeetingOut(Schema):
    id: int
    topic: str
    convener_id: int
    convener: str
    place_id: int
    starts_at: datetime
    ends_at: datetime
    location: str
    status: str
    booking_id: int | None

    @staticmethod
    def resolve_convener(obj) -> str:
        return obj.convener.name


class MeetingDetailOut(MeetingOut):
    minutes: str
    invitations: list[InvitationOut]
    agenda: list[AgendaOut]
    attendance: list[AttendanceOut]
    decisions: list[DecisionOut]
    action_items: list[ActionItemOut]

    @staticmethod
    def resolve_invitations(obj):
        return list(obj.invitations.all())

    @staticmethod
    def resolve_agenda(obj):
        return list(obj.agenda.all())

    @staticmethod
    def resolve_attendance(obj):
        return list(obj.attendance.all())

    @staticmethod
    def resolve_decisions(obj):
        return list(obj.decisions.all())

    @staticmethod
    def resolve_action_items(obj):
        return list(obj.action_items.all())


class MeetingIn(Schema):
    convener_id: int
    place_id: int
    topic: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location: str = ""
    slot_id: int | None = None
    invitee_ids: list[int] = []
    appeal_ids: list[int] = []


class AnswerIn(Schema):
    answer: str
    delegate_name: str = ""


class AttendeeIn(Schema):
    name: str
    party_id: int | None = None
    for_label: str = ""


class AttendanceIn(Schema):
    present: list[AttendeeIn]


class MinutesIn(Schema):
    minutes: str


class DecisionIn(Schema):
    text: str


class ActionItemIn(Schema):
    description: str
    responsible_party_id: int | None = None
    due_at: datetime | None = None
    decision_id: int | None = None


class ItemActionIn(Schema):
    text: str = ""


def _detail(meeting: Meeting) -> Meeting:
    return selectors.meeting_detail(meeting=meeting)


@router.get("/meetings", response=Page[MeetingOut])
@paged
def meetings_list(request: HttpRequest):
    return selectors.meetings_visible_to(user=request.user).order_by("-starts_at", "-id")


@router.post("/meetings", response={201: MeetingDetailOut})
def meeting_create(request: HttpRequest, payload: MeetingIn):
    convener = next(
        (p for p in services.rules.convening_parties(user=request.user) if p.pk == payload.convener_id), None
    )
    if convener is None:
        raise NotFound("没有这个召集单位。", "No such convening party.")
    place = Place.objects.filter(pk=payload.place_id).first()
    if place is None:
        raise Invalid("没有这个地点。", "No such place.", fields={"place_id": "unknown"})
    slot = None
    if payload.slot_id:
        slot = next((s for s in slot_choices(place=place) if s.pk == payload.slot_id), None)
        if slot is None:
            raise Invalid(
                "这个时段不可预约。",
                "That slot is not available.",
                code="slot_taken",
                fields={"slot_id": "x"},
            )
    meeting = services.meeting_create(
        actor=request.user,
        convener=convener,
        place=place,
        topic=payload.topic,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        location=payload.location,
        slot=slot,
        invitees=parties_by_ids(place=place, ids=payload.invitee_ids),
        appeals=appeal_choices(place=place, ids=payload.appeal_ids),
    )
    return Status(201, _detail(meeting))


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut)
def meeting_get(request: HttpRequest, meeting_id: int):
    return _detail(selectors.access_meeting(user=request.user, meeting_id=meeting_id))


@router.post("/meetings/{meeting_id}/invitations/{invitation_id}/answer", response=InvitationOut)
def invitation_answer(request: HttpRequest, meeting_id: int, invitation_id: int, payload: AnswerIn):
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)
    invitation = meeting.invitations.select_related("party").filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound("没有这份邀请。", "No such invitation.")
    return services.invitation_answer(
        invitation=invitation, actor=request.user, answer=payload.answer, delegate_name=payload.delegate_name
    )


@router.post("/meetings/{meeting_id}/attendance", response=MeetingDetailOut)
def attendance_take(request: HttpRequest, meeting_id: int, payload: AttendanceIn):
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)
    ids = [p.party_id for p in payload.present if p.party_id]
    parties = {p.pk: p for p in parties_by_ids(place=meeting.place, ids=ids, include=[meeting.convener])}
    present = [
        services.AttendeeIn(
            name=p.name, party=parties.get(p.party_id) if p.party_id else None, for_label=p.for_label
        )
        for p in payload.present
    ]
    services.attendance_take(meeting=meeting, actor=request.user, present=present)
    return _detail(meeting)


@router.post("/meetings/{meeting_id}/minutes", response=MeetingDetailOut)
def minutes_write(request: HttpRequest, meeting_id: int, payload: MinutesIn):
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)
    services.minutes_write(meeting=meeting, actor=request.user, minutes=payload.minutes)
    return _detail(meeting)


@router.post("/meetings/{meeting_id}/decisions", response={201: DecisionOut})
def decision_add(request: HttpRequest, meeting_id: int, payload: DecisionIn):
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)
    return Status(201, services.decision_add(meeting=meeting, actor=request.user, text=payload.text))


@router.post("/meetings/{meeting_id}/action-items", response={201: ActionItemOut})
def action_item_create(request: HttpRequest, meeting_id: int, payload: ActionItemIn):
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)
    party: Party | None = None
    if payload.responsible_party_id is not None:
        found = parties_by_ids(
            place=meeting.place, ids=[payload.responsible_party_id], include=[meeting.convener]
        )
        if not found:
            raise Invalid(
                "责任单位不在可选范围内。",
                "That party cannot be made responsible here.",
                fields={"responsible_party_id": "x"},
            )
        party = found[0]
    item = services.action_item_create(
        meeting=meeting,
        actor=request.user,
        description=payload.description,
        responsible_party=party,
        due_at=payload.due_at,
        decision=decision_or_none(meeting=meeting, decision_id=payload.decision_id),
    )
    return Status(201, item)


@router.post("/meetings/{meeting_id}/{action}", response=MeetingOut)
def meeting_transition(request: HttpRequest, meeting_id: int, action: str):
    meeting = selectors.access_meeting(user=request.user, meeting_id=meeting_id)
    return services.meeting_transition(meeting=meeting, actor=request.user, action=action)


@router.get("/action-items", response=Page[ActionItemOut])
@paged
def action_items_mine(request: HttpRequest, all: bool = False):
    return selectors.action_items_for(user=request.user, open_only=not all)


@router.post("/action-items/{item_id}/{action}", response=ActionItemOut)
def action_item_transition(request: HttpRequest, item_id: int, action: str, payload: ItemActionIn):
    item = selectors.access_action_item(user=request.user, item_id=item_id)
    return action_items.action_item_transition(
        item=item, actor=request.user, action=action, text=payload.text
    )
