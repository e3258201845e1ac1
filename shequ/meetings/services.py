"""Writes of coordination meetings. One transition function per stateful model:
`meeting_transition` (planned → held → closed, planned → cancelled) and `action_item_transition`
(remind, overdue, escalate, complete, cancel). Every change writes an immutable event row;
notifications are queued as jobs in the same transaction and run after commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shequ.activities import services as activity_services
from shequ.activities.models import Booking, VenueSlot
from shequ.appeals.models import Appeal
from shequ.core import clock, jobs
from shequ.core.errors import Conflict, Forbidden, Invalid, NotFound
from shequ.directory.models import Party, PartyKind, PartyPlace, Place, PlaceKind
from shequ.meetings import rules
from shequ.meetings.models import (
    ActionItem,
    ActionItemEvent,
    AgendaItem,
    Answer,
    Attendance,
    Decision,
    Invitation,
    Meeting,
    MeetingEvent,
    MeetingStatus,
)
from shequ.notices.models import Channel
from shequ.notices.services import notice_create

TEXT_MAX = 4000
REMIND_BEFORE = timedelta(hours=24)  # the responsible party is reminded a day before the due time
MEETING_PLACE_KINDS = (PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.BUILDING)

MS = MeetingStatus
MEETING_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({MS.PLANNED}), MS.HELD),
    "close": (frozenset({MS.HELD}), MS.CLOSED),
    "cancel": (frozenset({MS.PLANNED}), MS.CANCELLED),
}
# Writes allowed while the meeting is in these statuses.
EDITABLE = {
    "invite": frozenset({MS.PLANNED, MS.HELD}),
    "agenda": frozenset({MS.PLANNED, MS.HELD}),
    "attendance": frozenset({MS.PLANNED, MS.HELD}),
    "minutes": frozenset({MS.HELD}),
    "decision": frozenset({MS.HELD}),
    "action_item": frozenset({MS.HELD, MS.CLOSED}),
}


def clean_text(
    value: Any, *, name: str, zh: str, en: str, required: bool = True, limit: int = TEXT_MAX
) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise Invalid(zh, en, code="required", fields={name: en})
    if len(text) > limit:
        raise Invalid(
            f"内容不能超过{limit}个字。",
            f"At most {limit} characters.",
            code="too_long",
            fields={name: "too long"},
        )
    return text


def _meeting_event(
    meeting: Meeting, kind: str, actor, party: Party | None = None, **data: Any
) -> MeetingEvent:
    return MeetingEvent.objects.create(meeting=meeting, kind=kind, actor=actor, party=party, data=data)


def meeting_url(meeting_id: int) -> str:
    return reverse("meetings:detail", args=[meeting_id])


def _check_manager(*, meeting: Meeting, actor) -> None:
    if meeting.convener_id not in rules.managing_party_ids(user=actor):
        raise Forbidden(
            "只有召集单位的负责人和工作人员可以操作。",
            "Only the convening party's officers may do this.",
            code="not_convener",
        )


def _check_editable(meeting: Meeting, what: str) -> None:
    if meeting.status not in EDITABLE[what]:
        raise Conflict(
            f"会议{meeting.get_status_display()}，不能进行此操作。",
            f"The meeting is {meeting.status}; this is not possible now.",
            code="meeting_state",
        )


def _serves(party: Party, place: Place) -> bool:
    return PartyPlace.objects.filter(party=party, place_id__in=place.ancestor_ids()).exists()


def _locked(meeting: Meeting) -> Meeting:
    row = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("convener", "place")
        .filter(pk=meeting.pk)
        .first()
    )
    if row is None:
        raise NotFound("没有找到这个会议。", "Meeting not found.")
    return row


# ---------------------------------------------------------------- create and prepare


@dataclass(frozen=True)
class AttendeeIn:
    name: str
    party: Party | None = None
    for_label: str = ""


def meeting_create(
    *,
    actor,
    convener: Party,
    place: Place,
    topic: str,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    location: str = "",
    slot: VenueSlot | None = None,
    invitees: Sequence[Party] = (),
    appeals: Sequence[Appeal] = (),
) -> Meeting:
    """Convene a meeting. With a venue slot, the slot is booked through the activities booking service
    (the database refuses a double booking) and the meeting takes the slot's times and venue."""
    if convener.pk not in {p.pk for p in rules.convening_parties(user=actor)}:
        raise Forbidden(
            "只有环物会、社区党组织、居委会、业委会或街道的负责人和工作人员可以召集协调会。",
            "Only officers of the 环物会, party organisation, residents' committee, owners' committee or "
            "street office may convene a coordination meeting.",
            code="not_convener",
        )
    topic = clean_text(topic, name="topic", zh="请填写会议议题。", en="Please give the topic.", limit=120)
    if place.kind not in MEETING_PLACE_KINDS or not _serves(convener, place):
        raise Invalid(
            "请选择召集单位负责的社区、小区或楼栋。",
            "Choose a community, compound or building the convener serves.",
            code="place_not_served",
            fields={"place": "not served"},
        )
    if slot is not None:
        starts_at, ends_at = slot.starts_at, slot.ends_at
        location = location or slot.venue.name
    if starts_at is None or ends_at is None:
        raise Invalid(
            "请填写会议时间。",
            "Please give the meeting's time.",
            code="required",
            fields={"starts_at": "required"},
        )
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise Invalid("时间缺少时区。", "Times need a time zone.", fields={"starts_at": "naive"})
    if ends_at <= starts_at:
        raise Invalid(
            "结束时间必须晚于开始时间。",
            "The end must be after the start.",
            fields={"ends_at": "before start"},
        )
    with transaction.atomic():
        booking = None
        if slot is not None:
            booking = activity_services.booking_create(user=actor, slot=slot, purpose=f"协调会：{topic}")
        meeting = Meeting.objects.create(
            convener=convener,
            place=place,
            topic=topic,
            starts_at=starts_at,
            ends_at=ends_at,
            location=clean_text(location, name="location", zh="", en="", required=False, limit=200),
            booking=booking,
            created_by=actor,
        )
        _meeting_event(meeting, "created", actor, convener, topic=topic, booking=getattr(booking, "pk", None))
        for appeal in appeals:
            _agenda_add(meeting=meeting, actor=actor, appeal=appeal)
        if invitees:
            _invite(meeting=meeting, actor=actor, parties=invitees)
    return meeting


def _invite(*, meeting: Meeting, actor, parties: Iterable[Party]) -> list[Invitation]:
    made = []
    for party in parties:
        if party.pk == meeting.convener_id:
            continue
        invitation, created = Invitation.objects.get_or_create(meeting=meeting, party=party)
        if created:
            made.append(invitation)
            _meeting_event(meeting, "invited", actor, party)
            jobs.enqueue("meetings.notify_invitation", invitation_id=invitation.pk)
    return made


def meeting_invite(*, meeting: Meeting, actor, parties: Sequence[Party]) -> list[Invitation]:
    """Invite more parties (owners' representatives, the property company, departments, police)."""
    with transaction.atomic():
        meeting = _locked(meeting)
        _check_manager(meeting=meeting, actor=actor)
        _check_editable(meeting, "invite")
        if not parties:
            raise Invalid("请选择受邀单位。", "Choose the parties to invite.", fields={"parties": "required"})
        return _invite(meeting=meeting, actor=actor, parties=parties)


def invitation_answer(*, invitation: Invitation, actor, answer: str, delegate_name: str = "") -> Invitation:
    """An invited party answers: attend, decline, or send someone (named)."""
    if answer not in (Answer.ATTEND, Answer.DECLINE, Answer.DELEGATE):
        raise Invalid("请选择答复。", "Choose an answer.", fields={"answer": "invalid"})
    if invitation.party_id not in rules.staff_party_ids(user=actor):
        raise Forbidden("只有受邀单位可以答复。", "Only the invited party may answer.", code="not_invited")
    delegate_name = clean_text(
        delegate_name,
        name="delegate_name",
        zh="请填写委派参会人的姓名。",
        en="Please name the person you send.",
        required=answer == Answer.DELEGATE,
        limit=50,
    )
    with transaction.atomic():
        meeting = _locked(invitation.meeting)
        if meeting.status not in (MS.PLANNED, MS.HELD):
            raise Conflict("会议已结束或取消。", "The meeting is over or cancelled.", code="meeting_state")
        row = Invitation.objects.select_for_update().get(pk=invitation.pk)
        row.answer, row.delegate_name = answer, delegate_name
        row.answered_by, row.answered_at = actor, clock.now()
        row.save(update_fields=["answer", "delegate_name", "answered_by", "answered_at"])
        _meeting_event(meeting, "answered", actor, row.party, answer=answer, delegate=delegate_name)
    return row


def _agenda_add(*, meeting: Meeting, actor, appeal: Appeal | None = None, title: str = "") -> AgendaItem:
    if appeal is not None:
        if appeal.community_id != meeting.place.community_id:
            raise Invalid(
                "只能把本社区的诉求列入议程。",
                "Only appeals of this community may be on the agenda.",
                code="appeal_elsewhere",
                fields={"appeal": "elsewhere"},
            )
        if appeal.is_consultation or not appeal.is_public:
            raise Invalid(
                "私密诉求不能列入会议议程。",
                "A private appeal cannot be put on a meeting's agenda.",
                code="appeal_private",
                fields={"appeal": "private"},
            )
        title = title or f"{appeal.number} {appeal.category.name}：{appeal.text[:40]}"
    title = clean_text(title, name="title", zh="请填写议程。", en="Please give the agenda item.", limit=200)
    sort = meeting.agenda.count() + 1
    item = AgendaItem.objects.create(meeting=meeting, appeal=appeal, title=title, sort=sort)
    _meeting_event(meeting, "agenda", actor, appeal=getattr(appeal, "pk", None), title=title)
    return item


def agenda_add(*, meeting: Meeting, actor, appeal: Appeal | None = None, title: str = "") -> AgendaItem:
    with transaction.atomic():
        meeting = _locked(meeting)
        _check_manager(meeting=meeting, actor=actor)
        _check_editable(meeting, "agenda")
        if appeal is not None and meeting.agenda.filter(appeal=appeal).exists():
            raise Conflict("这条诉求已在议程中。", "This appeal is already on the agenda.", code="duplicate")
        return _agenda_add(meeting=meeting, actor=actor, appeal=appeal, title=title)


def attendance_take(*, meeting: Meeting, actor, present: Sequence[AttendeeIn]) -> list[Attendance]:
    """Record who came and for which party (replaces an earlier list; a held meeting only)."""
    if not present:
        raise Invalid(
            "请至少登记一位参会人。", "Record at least one attendee.", fields={"present": "required"}
        )
    with transaction.atomic():
        meeting = _locked(meeting)
        _check_manager(meeting=meeting, actor=actor)
        _check_editable(meeting, "attendance")
        rows: dict[tuple[str, int | None], Attendance] = {}
        for person in present:
            name = clean_text(
                person.name, name="name", zh="请填写参会人姓名。", en="Please give the name.", limit=50
            )
            key = (name, getattr(person.party, "pk", None))
            rows[key] = Attendance(
                meeting=meeting,
                name=name,
                party=person.party,
                for_label=(person.for_label or (person.party.name if person.party else ""))[:100],
                recorded_by=actor,
            )
        meeting.attendance.all().delete()
        made = Attendance.objects.bulk_create(rows.values())
        _meeting_event(meeting, "attendance", actor, count=len(made))
        if meeting.status == MS.PLANNED:
            _meeting_step(meeting, actor, "start")
    return made


def minutes_write(*, meeting: Meeting, actor, minutes: str) -> Meeting:
    with transaction.atomic():
        meeting = _locked(meeting)
        _check_manager(meeting=meeting, actor=actor)
        _check_editable(meeting, "minutes")
        text = clean_text(minutes, name="minutes", zh="请填写会议纪要。", en="Please write the minutes.")
        meeting.minutes, meeting.minutes_by, meeting.minutes_at = text, actor, clock.now()
        meeting.save(update_fields=["minutes", "minutes_by", "minutes_at"])
        _meeting_event(meeting, "minutes", actor, length=len(text))
    return meeting


def decision_add(*, meeting: Meeting, actor, text: str) -> Decision:
    with transaction.atomic():
        meeting = _locked(meeting)
        _check_manager(meeting=meeting, actor=actor)
        _check_editable(meeting, "decision")
        text = clean_text(
            text, name="text", zh="请填写决定事项。", en="Please write the decision.", limit=1000
        )
        decision = Decision.objects.create(meeting=meeting, text=text, sort=meeting.decisions.count() + 1)
        _meeting_event(meeting, "decision", actor, decision=decision.pk)
    return decision


def action_item_create(
    *,
    meeting: Meeting,
    actor,
    description: str,
    responsible_party: Party | None,
    due_at: datetime | None,
    decision: Decision | None = None,
) -> ActionItem:
    """A task from the meeting: a responsible party and a due time are required."""
    errors = {}
    if responsible_party is None:
        errors["responsible_party"] = "required"
    if due_at is None:
        errors["due_at"] = "required"
    if errors:
        raise Invalid(
            "每项任务都要有责任单位和完成时限。",
            "Every action item needs a responsible party and a due date.",
            code="action_item_incomplete",
            fields=errors,
        )
    assert responsible_party is not None and due_at is not None
    description = clean_text(
        description, name="description", zh="请填写任务内容。", en="Describe the task.", limit=1000
    )
    if timezone.is_naive(due_at):
        raise Invalid("时间缺少时区。", "The due time needs a time zone.", fields={"due_at": "naive"})
    with transaction.atomic():
        meeting = _locked(meeting)
        _check_manager(meeting=meeting, actor=actor)
        _check_editable(meeting, "action_item")
        if decision is not None and decision.meeting_id != meeting.pk:
            raise Invalid(
                "决定事项不属于这个会议。", "That decision is from another meeting.", fields={"decision": "x"}
            )
        now = clock.now()
        remind_at = due_at - REMIND_BEFORE
        item = ActionItem.objects.create(
            meeting=meeting,
            decision=decision,
            description=description,
            responsible_party=responsible_party,
            due_at=due_at,
            next_check_at=remind_at if remind_at > now else due_at,
            created_by=actor,
        )
        ActionItemEvent.objects.create(  # "created" notifies nobody: the meeting's event below does
            item=item,
            kind="created",
            actor=actor,
            party=meeting.convener,
            data={"due_at": due_at.isoformat()},
        )
        _meeting_event(meeting, "action_item", actor, responsible_party, item=item.pk)
    return item


# ---------------------------------------------------------------- the meeting's transition


_VERB_ZH = {"start": "开始", "close": "结束", "cancel": "取消"}
_VERB_EN = {"start": "started", "close": "closed", "cancel": "cancelled"}


def _meeting_step(meeting: Meeting, actor, action: str) -> None:
    sources, target = MEETING_TRANSITIONS[action]
    if meeting.status not in sources:
        raise Conflict(
            f"会议{meeting.get_status_display()}，不能{_VERB_ZH[action]}。",
            f"A {meeting.status} meeting cannot be {_VERB_EN[action]}.",
            code="meeting_state",
        )
    old = meeting.status
    changed = ["status"]
    meeting.status = target
    if action == "close":
        meeting.closed_at = clock.now()
        changed.append("closed_at")
    meeting.save(update_fields=changed)
    _meeting_event(meeting, action, actor, meeting.convener, **{"from": old, "to": target})


def meeting_transition(*, meeting: Meeting, actor, action: str) -> Meeting:
    """start (planned → held), close (held → closed; needs minutes; posts the public summary on the
    place's board), cancel (planned → cancelled; frees the booked venue slot)."""
    if action not in MEETING_TRANSITIONS:
        raise NotFound("没有这个操作。", f"Unknown action {action!r}.", code="unknown_action")
    with transaction.atomic():
        meeting = _locked(meeting)
        _check_manager(meeting=meeting, actor=actor)
        if action == "close" and not meeting.minutes.strip():
            raise Conflict(
                "还没有会议纪要，不能结束会议。请先填写会议纪要。",
                "A meeting cannot be closed without minutes. Write the minutes first.",
                code="minutes_required",
            )
        _meeting_step(meeting, actor, action)
        if action == "cancel" and meeting.booking_id:
            booking = Booking.objects.get(pk=meeting.booking_id)
            if (
                booking.status in (Booking.Status.PENDING, Booking.Status.APPROVED)
                and booking.user_id == actor.pk
            ):
                activity_services.booking_cancel(user=actor, booking=booking)
        if action == "close":
            notice = _post_summary(meeting=meeting, actor=actor)
            meeting.summary_notice = notice
            meeting.save(update_fields=["summary_notice"])
        if action in ("start", "close", "cancel"):
            jobs.enqueue("meetings.notify_meeting", meeting_id=meeting.pk, action=action)
    return meeting


def summaryclean_text(*, meeting: Meeting) -> str:
    """The public summary: topic, parties present, decisions, action items and their state."""
    from shequ.meetings.selectors import meeting_summary  # noqa: PLC0415

    s = meeting_summary(meeting=meeting)
    lines = [
        f"会议时间：{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M}",
        f"召集单位：{meeting.convener.name}",
    ]
    lines.append("参会单位：" + ("、".join(s.parties_present) or "—"))
    lines.append("决定事项：")
    lines += [f"{i}. {d.text}" for i, d in enumerate(s.decisions, 1)] or ["—"]
    lines.append("任务分工：")
    lines += [
        f"{i}. {a.description}（{a.responsible_party.name}，{timezone.localtime(a.due_at):%Y-%m-%d}前，{a.get_status_display()}）"
        for i, a in enumerate(s.action_items, 1)
    ] or ["—"]
    return "\n".join(lines)


def _post_summary(*, meeting: Meeting, actor):
    channel = (
        Channel.OWNERS
        if meeting.convener.kind in (PartyKind.OWNERS_COMMITTEE, PartyKind.OWNERS_ASSEMBLY)
        else Channel.COMMUNITY
    )
    return notice_create(
        author=actor,
        party=meeting.convener,
        channel=channel,
        place=meeting.place,
        title=f"协调会结果公示：{meeting.topic}"[:120],
        body=summaryclean_text(meeting=meeting)
        + f"\n\n详情：{reverse('meetings:summary', args=[meeting.pk])}",
    )
