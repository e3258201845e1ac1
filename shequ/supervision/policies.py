"""Report-in limits of whistles (报到时限), read from the database and cached (`shequ.core.readcache`:
a save in the admin is seen at once in this process, within its `SECONDS` in the others).
The appeals' own time limits and the working-day calendar are `shequ.appeals.calendar`."""

from __future__ import annotations

from datetime import datetime

from shequ.appeals import calendar
from shequ.appeals.deadlines import Limit
from shequ.core import readcache

# Whistle report-in limits when the table is empty (DESIGN §3).
WHISTLE_DEFAULTS = {
    "routine": Limit(1, "working_days"),
    "tough": Limit(4, "hours"),
    "emergency": Limit(30, "minutes"),
}


def clear_cache() -> None:
    readcache.clear()


def _load() -> dict[str, Limit]:
    from shequ.supervision.models import WhistleLimit  # noqa: PLC0415

    return {w.kind: Limit(w.limit, w.unit) for w in WhistleLimit.objects.all()}


_LIMITS: readcache.Table[dict[str, Limit]] | None = None


def _limits() -> dict[str, Limit]:
    global _LIMITS  # noqa: PLW0603 — registered on first use, the model imported late as before
    if _LIMITS is None:
        from shequ.supervision.models import WhistleLimit  # noqa: PLC0415

        _LIMITS = readcache.Table("supervision.whistle_limits", load=_load, models=(WhistleLimit,))
    return _LIMITS.get()


def whistle_limit(kind: str) -> Limit:
    return _limits().get(kind) or WHISTLE_DEFAULTS[kind]


def whistle_due(*, kind: str, start: datetime) -> datetime:
    return whistle_limit(kind).after(start, calendar.current())
