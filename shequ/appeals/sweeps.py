"""The sweeps of the work-order lifecycle: escalation of overdue appeals and the callback (回访).

`next_due_refresh()` recomputes `Appeal.next_due_at` set-based (a handful of UPDATEs, whatever the
number of rows): used by the migration that added the column, after bulk loads (demo history,
benchmark generator) and when a time-limit policy changes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.db.models import F, Q

from shequ.appeals import deadlines
from shequ.appeals.models import Appeal, Kind, Urgency
from shequ.appeals.routing import LADDER_TOP


def next_due_refresh(*, model: Any = Appeal, ids: list[int] | None = None) -> int:
    """Set `next_due_at` of every appeal (or of `ids`) to `deadlines.next_due`, with set-based UPDATEs
    grouped by level and escalation interval. `model` lets a migration pass its historical model."""
    rows = model.objects.all() if ids is None else model.objects.filter(pk__in=ids)
    escalating = Q()
    for statuses in deadlines.ESCALATING.values():
        escalating |= Q(status__in=list(statuses))
    can_fall_due = escalating & Q(escalation_level__lt=LADDER_TOP) & ~Q(kind=Kind.CONSULT)
    live = rows.filter(can_fall_due)
    changed = rows.exclude(next_due_at=None).filter(~can_fall_due).update(next_due_at=None)
    category_model = model._meta.get_field("category").related_model
    categories = list(category_model.objects.values_list("pk", "time_class"))
    for stage, statuses in deadlines.ESCALATING.items():
        base = "accept_due_at" if stage == "accept" else "resolve_due_at"
        in_stage = live.filter(status__in=list(statuses))
        changed += in_stage.filter(escalation_level=0).update(next_due_at=F(base))
        # One rung or more climbed: base + interval × level, the interval per (category, urgency).
        groups: dict[timedelta, Q] = defaultdict(Q)
        for category_id, time_class in categories:
            for urgency in Urgency.values:
                interval = deadlines.escalation_interval(
                    urgency=urgency, time_class=time_class, category_id=category_id, stage=stage
                )
                groups[interval] |= Q(category_id=category_id, urgency=urgency)
        for level in range(1, LADDER_TOP):
            for interval, which in groups.items():
                changed += (
                    in_stage.filter(which, escalation_level=level)
                    .exclude(**{base: None})
                    .update(next_due_at=F(base) + interval * level)
                )
    return changed
