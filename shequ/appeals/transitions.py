"""The appeal state machine as data: for each action, the statuses it may start from and the status
it leads to, and the timeline event it writes. Who may perform an action is `shequ.appeals.access`;
what an action does is `shequ.appeals.services.appeal_transition`."""

from __future__ import annotations

from shequ.appeals.models import OPEN_STATUSES, EventKind, Status

S = Status
OPEN = frozenset(OPEN_STATUSES)
ANY = frozenset(Status.values)

# action → (statuses it may start from, status it leads to; None = unchanged or decided by the action)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "dispatch": (frozenset({S.SUBMITTED}), S.DISPATCHED),
    "accept": (frozenset({S.SUBMITTED, S.DISPATCHED}), S.ACCEPTED),
    "return": (frozenset({S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS}), S.SUBMITTED),
    "redispatch": (frozenset({S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.PAUSED}), S.DISPATCHED),
    "transfer": (frozenset({S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS}), S.DISPATCHED),
    "pause": (frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.PAUSED),
    "resume": (frozenset({S.PAUSED}), S.IN_PROGRESS),
    "reply": (OPEN | {S.RESOLVED}, None),  # a party's first reply after accepting → in_progress
    "note": (ANY, None),
    "resolve": (frozenset({S.ACCEPTED, S.IN_PROGRESS, S.PAUSED}), S.RESOLVED),
    "confirm": (frozenset({S.RESOLVED}), S.CLOSED),
    "reopen": (frozenset({S.RESOLVED, S.CLOSED}), S.IN_PROGRESS),
    "rate": (frozenset({S.RESOLVED, S.CLOSED}), None),  # solved → closed; not solved → in_progress
    "close": (OPEN | {S.RESOLVED}, S.CLOSED),
    "merge": (OPEN, S.MERGED),
    "escalate": (OPEN, None),
    "close_unrated": (frozenset({S.RESOLVED}), S.CLOSED),
    "assign_helper": (OPEN, None),  # 大手拉小手: helper_party and fee_waived, status unchanged
}

ACTIONS = tuple(TRANSITIONS)

# The event each action writes.
EVENT_OF = {
    "dispatch": EventKind.DISPATCHED,
    "accept": EventKind.ACCEPTED,
    "return": EventKind.RETURNED,
    "redispatch": EventKind.DISPATCHED,
    "transfer": EventKind.TRANSFERRED,
    "pause": EventKind.PAUSED,
    "resume": EventKind.RESUMED,
    "reply": EventKind.REPLIED,
    "note": EventKind.NOTE,
    "resolve": EventKind.RESOLVED,
    "confirm": EventKind.CONFIRMED,
    "reopen": EventKind.REOPENED,
    "rate": EventKind.RATED,
    "close": EventKind.CLOSED,
    "merge": EventKind.MERGED,
    "escalate": EventKind.ESCALATED,
    "close_unrated": EventKind.CLOSED_UNRATED,
    "assign_helper": EventKind.HELPER_ASSIGNED,
}
