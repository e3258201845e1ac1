"""Time limits (DESIGN §3), as pure functions of (time class, urgency, start, paused seconds).

Defaults from Beijing's 12345 practice:

* accept (签收) within 30 minutes for emergencies, 2 hours otherwise;
* resolve or give substantive feedback within 2 hours when life or property is at risk (emergency),
  24 hours for water, power, heating, gas and lifts (time class ``utility``; also the cap for
  ``urgent``), 7 days for general matters, 15 days for complex ones;
* the callback (回访) window closes 7 days after resolution.

Pausing stops the clock: every due time moves later by the paused seconds.
The supervision module may extend this with configurable policies and a working-day calendar;
callers only use `due_times()`, `accept_due()`, `resolve_due()` and `callback_due()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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


@dataclass(frozen=True)
class DueTimes:
    accept_due_at: datetime
    resolve_due_at: datetime


def accept_limit(*, urgency: str) -> timedelta:
    return ACCEPT_LIMITS.get(urgency, ACCEPT_LIMITS["normal"])


def resolve_limit(*, time_class: str, urgency: str) -> timedelta:
    if urgency == "emergency":
        return EMERGENCY_RESOLVE
    limit = RESOLVE_BY_CLASS.get(time_class, RESOLVE_BY_CLASS["general"])
    if urgency == "urgent":
        limit = min(limit, URGENT_RESOLVE_CAP)
    return limit


def accept_due(*, urgency: str, start: datetime, paused_seconds: int = 0) -> datetime:
    return start + accept_limit(urgency=urgency) + timedelta(seconds=paused_seconds)


def resolve_due(*, time_class: str, urgency: str, start: datetime, paused_seconds: int = 0) -> datetime:
    return start + resolve_limit(time_class=time_class, urgency=urgency) + timedelta(seconds=paused_seconds)


def due_times(*, time_class: str, urgency: str, start: datetime, paused_seconds: int = 0) -> DueTimes:
    """Both due times for an appeal whose clock started at `start`."""
    return DueTimes(
        accept_due_at=accept_due(urgency=urgency, start=start, paused_seconds=paused_seconds),
        resolve_due_at=resolve_due(time_class=time_class, urgency=urgency, start=start,
                                   paused_seconds=paused_seconds),
    )


def callback_due(*, resolved_at: datetime) -> datetime:
    return resolved_at + CALLBACK_WINDOW


def extend(due: datetime | None, *, seconds: int) -> datetime | None:
    """A due time pushed later by a pause of `seconds` (None stays None)."""
    return None if due is None else due + timedelta(seconds=seconds)
