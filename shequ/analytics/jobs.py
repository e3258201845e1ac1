"""Periodic work of analytics, run by every worker (`shequ worker`, `shequ serve`) and `shequ sweep`."""

from __future__ import annotations

from datetime import datetime

from shequ.analytics import alerts, rollups
from shequ.core.jobs import periodic


@periodic("analytics.rollup", every=15)
def rollup(now: datetime) -> int:
    """Roll up the appeals changed since the watermark (a no-op query when nothing changed)."""
    return rollups.rollup_refresh()


@periodic("analytics.spikes", every=3600)
def spikes(now: datetime) -> int:
    """Send each new early-warning spike to the leaders' inbox once (`alerts.spikes_notify`)."""
    rollups.rollup_refresh()
    return alerts.spikes_notify(now=now)
