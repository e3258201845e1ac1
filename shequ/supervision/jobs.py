"""Periodic sweeps of supervision (whistles; escalation and callbacks are `shequ.appeals.jobs`), run by every worker (`shequ worker`, `shequ serve`) and by
`shequ sweep [--now ISO]`. Each claims its rows itself, so several workers are safe."""

from __future__ import annotations

from datetime import datetime

from shequ.core.jobs import periodic
from shequ.supervision import services


@periodic("supervision.whistles", every=60)
def whistles(now: datetime) -> int:
    return services.sweep_whistles(now=now)
