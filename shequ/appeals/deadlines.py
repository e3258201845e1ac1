"""Time limits (DESIGN §3), as pure functions of (time class, urgency, start, paused seconds).

Defaults from Beijing's 12345 practice:

* accept (签收) within 30 minutes for emergencies, 2 hours otherwise;
* resolve or give substantive feedback within 2 hours when life or property is at risk (emergency),
  24 hours for water, power, heating, gas and lifts (time class ``utility``; also the cap for
  ``urgent``), 7 days for general matters, 15 days for complex ones;
* the callback (回访) window closes 7 days after resolution.

Pausing stops the clock: every due time moves later by the paused seconds.

Configurable policies and the working-day calendar (owned by ``shequ.supervision``) plug in through
`install()`: a *policy lookup* ``(kind, time_class, urgency, category_id) -> Limit | None`` and a
*calendar provider* ``() -> WorkCalendar``. ``shequ.supervision`` installs both at startup from its
``DeadlinePolicy`` and ``CalendarDay`` tables; without them the built-in defaults below apply. The
calendar functions (`add_working_days`, `add_working_hours`) are pure: they take the calendar.
Callers only use `due_times()`, `accept_due()`, `resolve_due()` and `callback_due()` (each accepts an
optional ``category_id`` so category-specific policies apply).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from shequ.appeals.models import AWAITING_ACCEPT, OPEN_STATUSES, Appeal, Kind, Status
from shequ.appeals.routing import LADDER_TOP

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


# ---------------------------------------------------------------- working-day calendar


@dataclass(frozen=True)
class WorkCalendar:
    """Monday–Friday, except public holidays (rest) and make-up workdays (调休上班)."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    day_start: time = time(9, 0)
    day_end: time = time(18, 0)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


PLAIN_WEEK = WorkCalendar()


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _aware(value: datetime, like: datetime) -> datetime:
    if timezone.is_aware(like) and timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_current_timezone())
    return value


def add_working_days(start: datetime, n: int, calendar: WorkCalendar | None = None) -> datetime:
    """The same local clock time on the n-th working day after `start`'s date (Friday 10:00 + 1 → Monday
    10:00; the eve of the Spring Festival + 1 → the first day back)."""
    cal = calendar or current_calendar()
    local = _local(start)
    day = local.date()
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            counted += 1
    return _aware(datetime.combine(day, local.time().replace(tzinfo=None)), start)


def add_working_hours(start: datetime, hours: float, calendar: WorkCalendar | None = None) -> datetime:
    """`start` plus `hours` counted only inside office hours (day_start–day_end) of working days."""
    cal = calendar or current_calendar()
    remaining = timedelta(hours=hours)
    local = _local(start).replace(tzinfo=None)
    cursor = local
    for _ in range(3660):  # at most ten years of days
        day = cursor.date()
        if cal.is_working_day(day):
            opens = datetime.combine(day, cal.day_start)
            closes = datetime.combine(day, cal.day_end)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return _aware(begin + remaining, start)
                remaining -= available
        cursor = datetime.combine(day + timedelta(days=1), time(0, 0))
    raise ValueError("working hours do not fit in ten years")


# ---------------------------------------------------------------- limits and policies


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str = "hours"  # minutes | hours | days | working_days

    def after(self, start: datetime, calendar: WorkCalendar | None = None) -> datetime:
        if self.unit == "working_days":
            return add_working_days(start, self.amount, calendar)
        if self.unit == "days":
            return start + timedelta(days=self.amount)
        if self.unit == "minutes":
            return start + timedelta(minutes=self.amount)
        return start + timedelta(hours=self.amount)

    @property
    def nominal(self) -> timedelta:
        """The limit as a duration (a working day counts as 24 hours) — for display and ordering."""
        per = {
            "minutes": timedelta(minutes=1),
            "hours": timedelta(hours=1),
            "days": timedelta(days=1),
            "working_days": timedelta(days=1),
        }
        return per.get(self.unit, timedelta(hours=1)) * self.amount


PolicyLookup = Callable[..., "Limit | None"]
_policy_lookup: PolicyLookup | None = None
_calendar_provider: Callable[[], WorkCalendar] | None = None


def install(
    *, policy_lookup: PolicyLookup | None = None, calendar_provider: Callable[[], WorkCalendar] | None = None
) -> None:
    """Plug in configurable policies and the calendar (done by shequ.supervision at startup)."""
    global _policy_lookup, _calendar_provider
    _policy_lookup = policy_lookup
    _calendar_provider = calendar_provider


def current_calendar() -> WorkCalendar:
    if _calendar_provider is None:
        return PLAIN_WEEK
    try:
        return _calendar_provider()
    except Exception:  # a missing table during migrations must not break deadline maths
        return PLAIN_WEEK


def _looked_up(kind: str, *, time_class: str | None, urgency: str, category_id: int | None) -> Limit | None:
    if _policy_lookup is None:
        return None
    try:
        return _policy_lookup(
            kind=kind, time_class=time_class or "", urgency=urgency, category_id=category_id
        )
    except Exception:
        return None


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
