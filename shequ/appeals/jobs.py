"""Background work of appeals: telling the right people about a timeline event (queued in the
transition's transaction, run after commit; idempotent through the notification key), and the periodic
sweeps (escalation, callbacks)."""

from __future__ import annotations

from datetime import datetime

from shequ.appeals import services, sweeps
from shequ.appeals.fanout import TITLES, notify_events_now, recipients_for
from shequ.core.jobs import handler, periodic

__all__ = ["TITLES", "notify_events_now", "recipients_for"]


@handler("appeals.notify_event")
def notify_event(*, event_id: int) -> None:
    notify_events_now([event_id])


@handler("appeals.notify_events")
def notify_events(*, event_ids: list[int]) -> None:
    """The fan-out of a sweep's batch of escalations (one job per batch, not one per event)."""
    notify_events_now(event_ids)


@periodic("appeals.escalate", every=30)
def escalate(now: datetime) -> int:
    """The escalation sweep (`shequ.appeals.sweeps`), run by every worker and `shequ sweep`."""
    return sweeps.sweep_escalations(now=now)


@periodic("appeals.callbacks", every=60)
def callbacks(now: datetime) -> int:
    """The callback sweep: remind once at 3 days, close unrated at 7 (`shequ.appeals.sweeps`)."""
    return sweeps.sweep_callbacks(now=now)


@handler("appeals.claims_route")
def claims_route(*, user_id: int, household_id: int) -> None:
    """Enqueued by `accounts.services.residency_verify`: the verified resident's claims routed."""
    services.claims_route(reporter_id=user_id, household_id=household_id)
