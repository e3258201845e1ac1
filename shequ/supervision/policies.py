"""Report-in limits of whistles (报到时限), read from the database and cached. Staff edit `WhistleLimit`
in the admin; a save clears this process's cache, other processes pick it up within `CACHE_SECONDS`.
The appeals' own time limits and the working-day calendar are `shequ.appeals.calendar`."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from shequ.appeals import calendar
from shequ.appeals.deadlines import Limit

CACHE_SECONDS = 60.0

_lock = threading.Lock()
_cache: dict[str, tuple[float, dict[str, Limit]]] = {}

# Whistle report-in limits when the table is empty (DESIGN §3).
WHISTLE_DEFAULTS = {
    "routine": Limit(1, "working_days"),
    "tough": Limit(4, "hours"),
    "emergency": Limit(30, "minutes"),
}


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _limits() -> dict[str, Limit]:
    from shequ.supervision.models import WhistleLimit  # noqa: PLC0415

    now = time.monotonic()
    with _lock:
        hit = _cache.get("whistle")
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
    value = {w.kind: Limit(w.limit, w.unit) for w in WhistleLimit.objects.all()}
    with _lock:
        _cache["whistle"] = (now, value)
    return value


def whistle_limit(kind: str) -> Limit:
    return _limits().get(kind) or WHISTLE_DEFAULTS[kind]


def whistle_due(*, kind: str, start: datetime) -> datetime:
    return whistle_limit(kind).after(start, calendar.current())
