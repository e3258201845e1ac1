"""Configurable time limits and the working-day calendar, read from the database and cached.

`install()` (called from the app's ready()) plugs them into `shequ.appeals.deadlines`. Staff edit
`DeadlinePolicy`, `CalendarDay` and `WhistleLimit` in the admin; every save clears the cache of
this process, other processes pick the change up within `CACHE_SECONDS`.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from shequ.appeals import deadlines
from shequ.appeals.deadlines import Limit, WorkCalendar

CACHE_SECONDS = 60.0

_lock = threading.Lock()
_cache: dict[str, tuple[float, object]] = {}

# Whistle report-in limits when the table is empty (DESIGN §3).
WHISTLE_DEFAULTS = {
    "routine": Limit(1, "working_days"),
    "tough": Limit(4, "hours"),
    "emergency": Limit(30, "minutes"),
}


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _cached(key: str, load):
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
    value = load()
    with _lock:
        _cache[key] = (now, value)
    return value


def _load_calendar() -> WorkCalendar:
    from shequ.supervision.models import CalendarDay  # noqa: PLC0415

    holidays, workdays = set(), set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (workdays if kind == CalendarDay.Kind.WORKDAY else holidays).add(day)
    return WorkCalendar(holidays=frozenset(holidays), workdays=frozenset(workdays))


def calendar() -> WorkCalendar:
    return _cached("calendar", _load_calendar)


def _load_policies() -> list[tuple[int, int | None, str, str, Limit | None, Limit | None]]:
    from shequ.supervision.models import DeadlinePolicy  # noqa: PLC0415

    rows = []
    for p in DeadlinePolicy.objects.filter(is_active=True).order_by("id"):
        accept = Limit(p.accept_limit, p.accept_unit) if p.accept_limit is not None else None
        resolve = Limit(p.resolve_limit, p.resolve_unit) if p.resolve_limit is not None else None
        rows.append((p.specificity, p.category_id, p.urgency, p.time_class, accept, resolve))
    rows.sort(key=lambda r: -r[0])
    return rows


def lookup(*, kind: str, time_class: str, urgency: str, category_id: int | None) -> Limit | None:
    """The most specific active policy with a limit of this kind (accept | resolve) for the appeal."""
    for _spec, cat, urg, tclass, accept, resolve in _cached("policies", _load_policies):
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


def whistle_limit(kind: str) -> Limit:
    def load() -> dict[str, Limit]:
        from shequ.supervision.models import WhistleLimit  # noqa: PLC0415

        return {w.kind: Limit(w.limit, w.unit) for w in WhistleLimit.objects.all()}

    return _cached("whistle", load).get(kind) or WHISTLE_DEFAULTS[kind]


def whistle_due(*, kind: str, start: datetime) -> datetime:
    return whistle_limit(kind).after(start, calendar())


def install() -> None:
    deadlines.install(policy_lookup=lookup, calendar_provider=calendar)
