"""Reads of meetings, each with its permission check."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from shequ.accounts.selectors import user_roles
from shequ.core.errors import NotFound
from shequ.directory.models import PartyKind, PartyPlace
from shequ.meetings import rules
from shequ.meetings.models import ActionItem, Attendance, ItemStatus, Meeting, MeetingStatus

SUPERVISING = (PartyKind.PARTY_ORG, PartyKind.STREET_OFFICE)


def _party_ids(user) -> set[int]:
    return user_roles(user=user).observed_party_ids if user.is_authenticated else set()


def _supervised_places(user) -> QuerySet[PartyPlace, Any] | None:
    """The places the user's party organisation / street office serve, as a subquery (no query of its own)."""
    roles = user_roles(user=user)
    ids = [m.party_id for m in roles.memberships if m.party.kind in SUPERVISING]
    return PartyPlace.objects.filter(party_id__in=ids).values("place_id") if ids else None


def meetings_visible_to(*, user) -> QuerySet[Meeting]:
    """Meetings the user takes part in through a party: convener, invited, responsible for an item,
    escalated to, or supervising the place (party organisation, street office)."""
    parties = _party_ids(user)
    if not parties:
        return Meeting.objects.none()
    q = (
        Q(convener_id__in=parties)
        | Q(invitations__party_id__in=parties)
        | Q(action_items__responsible_party_id__in=parties)
        | Q(action_items__escalated_to_id__in=parties)
    )
    places = _supervised_places(user)
    if places is not None:
        q |= Q(place_id__in=places) | Q(place__community_id__in=places) | Q(place__street_id__in=places)
    ids = Meeting.objects.filter(q).values("id")
    return Meeting.objects.filter(id__in=ids).select_related("convener", "place")


def access_meeting(*, user, meeting_id: int) -> Meeting:
    meeting = meetings_visible_to(user=user).filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound("没有找到这个会议。", "Meeting not found.")
    return meeting


def access_meeting_summary(*, user, meeting_id: int) -> Meeting:
    """The public summary of a closed meeting (what the board shows): anyone signed in."""
    meeting = (
        Meeting.objects.select_related("convener", "place")
        .filter(pk=meeting_id, status=MeetingStatus.CLOSED)
        .first()
    )
    if meeting is None or not user.is_authenticated:
        raise NotFound("没有找到这个会议。", "Meeting not found.")
    return meeting


def can_manage(*, user, meeting: Meeting) -> bool:
    return meeting.convener_id in rules.managing_party_ids(user=user)


def meeting_detail(*, meeting: Meeting) -> Meeting:
    """The meeting with everything its page shows, in a fixed number of queries."""
    return (
        Meeting.objects.select_related("convener", "place", "booking", "booking__venue", "summary_notice")
        .prefetch_related(
            "invitations__party",
            "agenda__appeal",
            "attendance__party",
            "decisions",
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.select_related("responsible_party", "escalated_to", "decision"),
            ),
        )
        .get(pk=meeting.pk)
    )


@dataclass
class Summary:
    meeting: Meeting
    parties_present: list[str] = field(default_factory=list)
    decisions: list = field(default_factory=list)
    action_items: list = field(default_factory=list)


def meeting_summary(*, meeting: Meeting) -> Summary:
    m = meeting_detail(meeting=meeting)
    present = list(
        dict.fromkeys(a.for_label or (a.party.name if a.party else a.name) for a in m.attendance.all())
    )
    return Summary(
        meeting=m,
        parties_present=present,
        decisions=list(m.decisions.all()),
        action_items=list(m.action_items.all()),
    )


def action_items_for(*, user, open_only: bool = True) -> QuerySet[ActionItem]:
    """Action items the user's parties are responsible for (or that were escalated to them)."""
    parties = rules.staff_party_ids(user=user)
    if not parties:
        return ActionItem.objects.none()
    qs = ActionItem.objects.filter(Q(responsible_party_id__in=parties) | Q(escalated_to_id__in=parties))
    if open_only:
        qs = qs.filter(status=ItemStatus.OPEN)
    return qs.select_related("meeting", "meeting__convener", "responsible_party", "escalated_to").order_by(
        "due_at", "id"
    )


def access_action_item(*, user, item_id: int) -> ActionItem:
    item = (
        ActionItem.objects.select_related(
            "meeting", "meeting__convener", "meeting__place", "responsible_party", "escalated_to"
        )
        .filter(pk=item_id, meeting__in=meetings_visible_to(user=user).values("id"))
        .first()
    )
    if item is None:
        raise NotFound("没有找到这项任务。", "Action item not found.")
    return item


def upcoming_meetings_for(*, user, limit: int = 10) -> list[Meeting]:
    """Planned or held meetings of the user's parties, soonest first (the workbench block)."""
    return list(
        meetings_visible_to(user=user)
        .filter(status__in=(MeetingStatus.PLANNED, MeetingStatus.HELD))
        .order_by("starts_at", "id")[:limit]
    )


def meetings_for_appeal(*, appeal_id: int) -> list[Meeting]:
    """Meetings that discussed the appeal (its page shows "discussed at meeting X")."""
    return list(
        Meeting.objects.filter(agenda__appeal_id=appeal_id, agenda__appeal__is_public=True)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("convener")
        .distinct()
        .order_by("-starts_at")
    )


def attendance_rows(*, meeting: Meeting) -> QuerySet[Attendance]:
    return meeting.attendance.select_related("party").order_by("id")
