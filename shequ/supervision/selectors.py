"""Reads of supervision: escalated appeals for a level's workbench, whistles and who came how fast, a
department's summonses. (The three rates and the league table live in `shequ.analytics`.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q, QuerySet

from shequ.accounts.selectors import user_roles
from shequ.appeals.models import OPEN_STATUSES, Appeal, AppealEvent, EventKind
from shequ.supervision.models import Summons, Whistle

# ---------------------------------------------------------------- escalations


def escalated_appeals(*, user, open_only: bool = True) -> QuerySet[Appeal]:
    """Appeals escalated to a party the user acts for — each ladder level's queue for its workbench.
    An appeal that climbed further stays on the list of every level it passed (their escalation events
    name them), so the 环物会 and the party organisation still see what they failed to settle."""
    return escalated_to_parties(party_ids=list(user_roles(user=user).party_ids), open_only=open_only)


def escalated_to_parties(*, party_ids: list[int], open_only: bool = True) -> QuerySet[Appeal]:
    """`escalated_appeals` for given parties (a start page counting for a street's parties, whoever
    looks — the leader or a read-only observer — gets the same number).

    Escalated to one of the parties now, or named by one of its escalation events (the partial index
    `appeal_event_escalated`). Kept an OR: at 1M appeals a UNION of the two lookups was faster for a
    10,000-row queue (72 against 123 ms) but 3× slower for the street office's 31,000 (535 against
    161 ms, each of its ids looked up by primary key), while the OR reads the open escalated rows in the
    queue's order through the partial index `appeal_escalated_queue` and stops when a page is full."""
    ids = party_ids
    if not ids:
        return Appeal.objects.none()
    passed = AppealEvent.objects.filter(kind=EventKind.ESCALATED, party_id__in=ids).values("appeal_id")
    qs = (
        Appeal.objects.filter(Q(escalated_to_id__in=ids) | Q(pk__in=passed))
        .filter(escalation_level__gt=0)
        .exclude(kind="consult")
    )
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    # The order of the partial index appeal_escalated_queue: the queue is read in order until a page is full.
    return qs.select_related(
        "category", "responsible_party", "first_party", "escalated_to", "place"
    ).order_by("-escalation_level", F("accept_due_at").asc(nulls_last=True), "-id")


# ---------------------------------------------------------------- whistles


@dataclass
class SummonsRow:
    summons: Summons
    department: str
    due_at: datetime
    reported_in_at: datetime | None
    minutes: int | None
    on_time: bool | None
    acted: str
    reported_back_at: datetime | None


def whistle_board(*, appeal: Appeal) -> list[tuple[Whistle, list[SummonsRow]]]:
    """Every whistle on an appeal with each department's report-in time — public (who came, how fast)."""
    whistles = list(
        Whistle.objects.filter(appeal=appeal)
        .select_related("party")
        .prefetch_related("summonses__department")
        .order_by("blown_at", "id")
    )
    out = []
    for w in whistles:
        rows = []
        for s in sorted(w.summonses.all(), key=lambda s: s.pk):
            minutes = None
            if s.reported_in_at is not None:
                minutes = int((s.reported_in_at - w.blown_at).total_seconds() // 60)
            rows.append(
                SummonsRow(
                    summons=s,
                    department=s.department.name,
                    due_at=s.due_at,
                    reported_in_at=s.reported_in_at,
                    minutes=minutes,
                    on_time=s.on_time,
                    acted=s.acted,
                    reported_back_at=s.reported_back_at,
                )
            )
        out.append((w, rows))
    return out


def summonses_for(*, user, open_only: bool = True) -> QuerySet[Summons]:
    """Summonses of the departments a user acts for (their 报到 queue)."""
    ids = user_roles(user=user).party_ids
    if not ids:
        return Summons.objects.none()
    qs = Summons.objects.filter(department_id__in=ids)
    if open_only:
        qs = qs.filter(Q(reported_back_at__isnull=True) & Q(whistle__closed_at__isnull=True))
    return qs.select_related(
        "whistle", "whistle__appeal", "whistle__appeal__category", "whistle__party", "department"
    ).order_by("due_at", "id")


def supervision_links(*, appeal: Appeal, user) -> dict[str, bool]:
    """What supervision actions this user has on an appeal (for buttons on the appeal page):
    whistle (party organisation / residents' committee / street office), helper (环物会), board
    (there are whistles to show)."""
    from shequ.directory.models import PartyKind  # noqa: PLC0415
    from shequ.supervision import services  # noqa: PLC0415

    open_ = appeal.status in OPEN_STATUSES
    return {
        "whistle": open_
        and services._acting_party_of_kinds(actor=user, appeal=appeal, kinds=services.WHISTLE_KINDS)
        is not None,
        "helper": open_
        and services._acting_party_of_kinds(
            actor=user, appeal=appeal, kinds=(PartyKind.ENV_PROPERTY_COMMITTEE,)
        )
        is not None,
        "board": Whistle.objects.filter(appeal=appeal).exists(),
    }
