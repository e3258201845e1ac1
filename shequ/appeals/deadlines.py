"""Time limits (DESIGN §3), as pure functions of (time class, urgency, start, paused seconds).

Defaults from Beijing's 12345 practice:

* accept (签收) within 30 minutes for emergencies, 2 hours otherwise;
* resolve or give substantive feedback within 2 hours when life or property is at risk (emergency),
  24 hours for water, power, heating, gas and lifts (time class ``utility``; also the cap for
  ``urgent``), 7 days for general matters, 15 days for complex ones;
* the callback (回访) window closes 7 days after resolution.

Pausing stops the clock: every due time moves later by the paused seconds.

Staff configure limits (``DeadlinePolicy``) and the working-day calendar (``CalendarDay``) in the
admin; `shequ.appeals.calendar` reads them (cached) and holds the pure calendar maths
(`add_working_days`, `add_working_hours`, `Limit`), re-exported here. Without a matching policy
the built-in defaults below apply.
Callers only use `due_times()`, `accept_due()`, `resolve_due()` and `callback_due()` (each accepts an
optional ``category_id`` so category-specific policies apply).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from shequ.appeals import calendar
from shequ.appeals.calendar import (  # re-exported: callers compute with deadlines alone
    PLAIN_WEEK,
    Limit,
    WorkCalendar,
    add_working_days,
    add_working_hours,
)
from shequ.appeals.models import AWAITING_ACCEPT, OPEN_STATUSES, Appeal, Kind, Status
from shequ.appeals.routing import LADDER_TOP

__all__ = ["PLAIN_WEEK", "Limit", "WorkCalendar", "add_working_days", "add_working_hours"]

ACCEPT_LIMITS = {
    "emergency": timedelta(minutes=30),
    "urgent": timedelta(hours=2),
    "normal": timedelta(hours=2),
}
RESOLVE_BY_CLASS = {
    "utility": timedelta(hours=24),
    "general": timedelta(days=7),
    "complex": timedelta(days=15),
}
EMERGENCY_RESOLVE = timedelta(hours=2)
URGENT_RESOLVE_CAP = timedelta(hours=24)
CALLBACK_WINDOW = timedelta(days=7)
RESOLVE_CHAIN_CAP = timedelta(hours=24)

# The statuses in which each escalation chain runs (paused stops the clock; resolved is the callback's).
ESCALATING = {
    "accept": frozenset(AWAITING_ACCEPT),
    "resolve": frozenset({Status.ACCEPTED, Status.IN_PROGRESS}),
}


@dataclass(frozen=True)
class DueTimes:
    accept_due_at: datetime
    resolve_due_at: datetime


# ---------------------------------------------------------------- limits and policies


def current_calendar() -> WorkCalendar:
    """The working-day calendar of the database (`shequ.appeals.calendar`, cached)."""
    return calendar.current()


def _looked_up(kind: str, *, time_class: str | None, urgency: str, category_id: int | None) -> Limit | None:
    return calendar.lookup(kind=kind, time_class=time_class or "", urgency=urgency, category_id=category_id)


def default_accept_limit(*, urgency: str) -> Limit:
    return Limit(int(ACCEPT_LIMITS.get(urgency, ACCEPT_LIMITS["normal"]).total_seconds() // 60), "minutes")


def default_resolve_limit(*, time_class: str, urgency: str) -> Limit:
    if urgency == "emergency":
        limit = EMERGENCY_RESOLVE
    else:
        limit = RESOLVE_BY_CLASS.get(time_class, RESOLVE_BY_CLASS["general"])
        if urgency == "urgent":
            limit = min(limit, URGENT_RESOLVE_CAP)
    return Limit(int(limit.total_seconds() // 60), "minutes")


def accept_policy(*, urgency: str, time_class: str | None = None, category_id: int | None = None) -> Limit:
    return _looked_up(
        "accept", time_class=time_class, urgency=urgency, category_id=category_id
    ) or default_accept_limit(urgency=urgency)


def resolve_policy(*, time_class: str, urgency: str, category_id: int | None = None) -> Limit:
    return _looked_up(
        "resolve", time_class=time_class, urgency=urgency, category_id=category_id
    ) or default_resolve_limit(time_class=time_class, urgency=urgency)


def accept_limit(*, urgency: str, time_class: str | None = None, category_id: int | None = None) -> timedelta:
    return accept_policy(urgency=urgency, time_class=time_class, category_id=category_id).nominal


def resolve_limit(*, time_class: str, urgency: str, category_id: int | None = None) -> timedelta:
    return resolve_policy(time_class=time_class, urgency=urgency, category_id=category_id).nominal


def accept_due(
    *,
    urgency: str,
    start: datetime,
    paused_seconds: int = 0,
    time_class: str | None = None,
    category_id: int | None = None,
) -> datetime:
    limit = accept_policy(urgency=urgency, time_class=time_class, category_id=category_id)
    return limit.after(start) + timedelta(seconds=paused_seconds)


def resolve_due(
    *, time_class: str, urgency: str, start: datetime, paused_seconds: int = 0, category_id: int | None = None
) -> datetime:
    limit = resolve_policy(time_class=time_class, urgency=urgency, category_id=category_id)
    return limit.after(start) + timedelta(seconds=paused_seconds)


def due_times(
    *, time_class: str, urgency: str, start: datetime, paused_seconds: int = 0, category_id: int | None = None
) -> DueTimes:
    """Both due times for an appeal whose clock started at `start`."""
    return DueTimes(
        accept_due_at=accept_due(
            urgency=urgency,
            start=start,
            paused_seconds=paused_seconds,
            time_class=time_class,
            category_id=category_id,
        ),
        resolve_due_at=resolve_due(
            time_class=time_class,
            urgency=urgency,
            start=start,
            paused_seconds=paused_seconds,
            category_id=category_id,
        ),
    )


def callback_due(*, resolved_at: datetime) -> datetime:
    return resolved_at + CALLBACK_WINDOW


def extend(due: datetime | None, *, seconds: int) -> datetime | None:
    """A due time pushed later by a pause of `seconds` (None stays None)."""
    return None if due is None else due + timedelta(seconds=seconds)


# ---------------------------------------------------------------- the escalation schedule (next_due_at)


def escalation_interval(*, urgency: str, time_class: str, category_id: int | None, stage: str) -> timedelta:
    """How long each rung of the ladder has to answer before the next one is told: the accept limit
    for the accept chain; min(resolve limit, 24 h), at least the accept limit, for the resolve chain."""
    accept = accept_limit(urgency=urgency, time_class=time_class, category_id=category_id)
    if stage == "accept":
        return accept
    resolve = resolve_limit(time_class=time_class, urgency=urgency, category_id=category_id)
    return max(accept, min(resolve, RESOLVE_CHAIN_CAP))


def escalation_stage(status: str) -> str | None:
    """ "accept" or "resolve": the chain whose clock runs in this status (None: no clock runs)."""
    return next((stage for stage, statuses in ESCALATING.items() if status in statuses), None)


def next_due(
    *,
    kind: str,
    status: str,
    escalation_level: int,
    accept_due_at: datetime | None,
    resolve_due_at: datetime | None,
    urgency: str,
    time_class: str,
    category_id: int | None,
) -> datetime | None:
    """`Appeal.next_due_at`: when the sweeper next has something to do — the current stage's limit
    (accept, or resolve once accepted), then one interval per rung already climbed. None when
    nothing can fall due: closed/resolved/merged, paused, a private consultation (never
    escalated), or the top of the ladder reached."""
    stage = escalation_stage(status)
    if stage is None or kind == Kind.CONSULT or escalation_level >= LADDER_TOP:
        return None
    base = accept_due_at if stage == "accept" else resolve_due_at
    if base is None or escalation_level == 0:
        return base
    interval = escalation_interval(
        urgency=urgency, time_class=time_class, category_id=category_id, stage=stage
    )
    return base + interval * escalation_level


def next_due_of(appeal: Appeal) -> datetime | None:
    """`next_due` of a loaded appeal (its category loaded or cached)."""
    return next_due(
        kind=appeal.kind,
        status=appeal.status,
        escalation_level=appeal.escalation_level,
        accept_due_at=appeal.accept_due_at,
        resolve_due_at=appeal.resolve_due_at,
        urgency=appeal.urgency,
        time_class=appeal.category.time_class,
        category_id=appeal.category_id,
    )


# ---------------------------------------------------------------- overdue (the one definition)


def overdue_q(*, now: datetime) -> Q:
    """Open appeals past their accept limit (not yet accepted) or their resolve limit (not paused)."""
    return (Q(status__in=AWAITING_ACCEPT) & Q(accept_due_at__lt=now)) | (
        Q(status__in=OPEN_STATUSES) & ~Q(status=Status.PAUSED) & Q(resolve_due_at__lt=now)
    )


def is_overdue(appeal: Appeal, *, now: datetime) -> bool:
    """The same rule as `overdue_q`, for one loaded appeal."""
    if appeal.status in AWAITING_ACCEPT and appeal.accept_due_at and appeal.accept_due_at < now:
        return True
    return (
        appeal.status in OPEN_STATUSES
        and appeal.status != Status.PAUSED
        and appeal.resolve_due_at is not None
        and appeal.resolve_due_at < now
    )
