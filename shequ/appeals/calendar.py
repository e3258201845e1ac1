"""The configurable time limits (`DeadlinePolicy`) and the working-day calendar (`CalendarDay`), read
from the database and cached — what `shequ.appeals.deadlines` computes every due time with.

Staff edit both in the admin (which recomputes the appeals' `next_due_at`); both are cached tables of
`shequ.core.readcache`: a save is seen at once in this process, within its `SECONDS` in the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from django.utils import timezone

from shequ.appeals.lifecycle_models import CalendarDay, DeadlinePolicy
from shequ.core import readcache

# ---------------------------------------------------------------- the working week and limits (pure)


@dataclass(frozen=True)
class WorkCalendar:
    """Monday–Friday, except public holidays (rest) and make-up workdays (调休上班)."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    day_start: clock_time = clock_time(9, 0)
    day_end: clock_time = clock_time(18, 0)

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
    cal = calendar or current()
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
    cal = calendar or current()
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
        cursor = datetime.combine(day + timedelta(days=1), clock_time(0, 0))
    raise ValueError("working hours do not fit in ten years")


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


# ---------------------------------------------------------------- the database's calendar and policies


def clear_cache() -> None:
    """Read the time limits and the calendar afresh (`shequ.core.readcache`: every cached table)."""
    readcache.clear()


def _load_calendar() -> WorkCalendar:
    holidays: set[date] = set()
    workdays: set[date] = set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (workdays if kind == CalendarDay.Kind.WORKDAY else holidays).add(day)
    return WorkCalendar(holidays=frozenset(holidays), workdays=frozenset(workdays))


CALENDAR = readcache.Table("appeals.calendar", load=_load_calendar, models=(CalendarDay,))


def current() -> WorkCalendar:
    """The working-day calendar: Monday–Friday with the holidays and make-up workdays entered."""
    return CALENDAR.get()


def _load_policies() -> list[tuple[int, int | None, str, str, Limit | None, Limit | None]]:
    rows = []
    for p in DeadlinePolicy.objects.filter(is_active=True).order_by("id"):
        accept = Limit(p.accept_limit, p.accept_unit) if p.accept_limit is not None else None
        resolve = Limit(p.resolve_limit, p.resolve_unit) if p.resolve_limit is not None else None
        rows.append((p.specificity, p.category_id, p.urgency, p.time_class, accept, resolve))
    rows.sort(key=lambda r: -r[0])
    return rows


POLICIES = readcache.Table("appeals.deadline_policies", load=_load_policies, models=(DeadlinePolicy,))


def lookup(*, kind: str, time_class: str, urgency: str, category_id: int | None) -> Limit | None:
    """The most specific active policy with a limit of this kind (accept | resolve) for the appeal."""
    for _spec, cat, urg, tclass, accept, resolve in POLICIES.get():
        if cat is not None and cat != category_id:
            continue
        if urg and urg != urgency:
            continue
        if tclass and tclass != time_class:
            continue
        limit = accept if kind == "accept" else resolve
        if limit is not None:
            return limit
    return None
