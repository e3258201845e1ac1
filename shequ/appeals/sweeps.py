"""The sweeps of the work-order lifecycle: escalation of overdue appeals and the callback (回访).

**Callbacks.** `sweep_callbacks` reminds the resident once, 3 days after resolution (the unique
`CallbackReminder(appeal, resolved_at)` row is the claim; reminded appeals are excluded by the
query), and closes as *unrated* at `callback_due_at` (the fields and event of the `close_unrated`
transition, `actions.unrated_close_fields`) — never counted as satisfied. Both stages claim their
rows like the escalation sweep (a batch at a time, `FOR UPDATE SKIP LOCKED`) and write each batch
set-based: one INSERT of reminders, one UPDATE of appeals, one INSERT of events, one notification
job per `NOTIFY_BATCH` events.

**Escalation.** `Appeal.next_due_at` is when the sweeper next has something to do with an appeal
(NULL when nothing can fall due, so private consultations, paused appeals and the top of the ladder
are never even read). `sweep_escalations` claims the due rows in due order, a batch at a time
(`SELECT … WHERE next_due_at <= now ORDER BY next_due_at, id LIMIT n FOR UPDATE SKIP LOCKED` on
PostgreSQL, so parallel workers take disjoint batches; SQLite takes its one write lock first), climbs
every rung each row owes (the same ladder and event as the `escalate` transition), and writes the
batch set-based: one UPDATE of the rows, one INSERT of the events (arrays sent in binary,
`shequ.core.bulk`), and the batch's notifications in the same transaction (`fanout.notify_loaded` on
the rows already loaded: the audience read once, one INSERT of inbox rows, one of outbox rows, one
delivery job per 500 of them) — a constant number of statements whatever the batch's size. A worker
killed mid-batch rolls the batch back, its notifications with it; the next pass does it. A fan-out
that fails rolls back to its savepoint and queues `appeals.notify_events` jobs instead.

`next_due_refresh()` recomputes `Appeal.next_due_at` set-based (a handful of UPDATEs, whatever the
number of rows): used by the migration that added the column, after bulk loads (demo history,
benchmark generator) and when a time-limit policy changes.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q

from shequ.appeals import deadlines, fanout
from shequ.appeals.actions import UNRATED_CLOSE_TEXT, escalation_data, unrated_close_fields
from shequ.appeals.models import Appeal, AppealEvent, CallbackReminder, EventKind, Kind, Status, Urgency
from shequ.appeals.routing import LADDER_TOP, Ladder
from shequ.core import bulk, clock, jobs

log = logging.getLogger("shequ.appeals.sweeps")

BATCH = 500  # appeals claimed per transaction
NOTIFY_BATCH = 500  # events per notification job
SWEEP_SECONDS = 30.0  # one call stops starting batches after this (the next pass goes on)
REASONS = {
    "accept": "超过签收时限仍未签收，系统自动升级。",
    "resolve": "超过办结时限仍未办结，系统自动升级。",
}


def sweep_escalations(*, now: datetime, batch: int | None = None) -> int:
    """Escalate every appeal whose `next_due_at` has passed, in due order, every rung it owes.
    Returns the number of escalations (events) written."""
    size = batch or BATCH
    started = time.monotonic()
    total = 0
    while time.monotonic() - started < SWEEP_SECONDS:
        try:
            claimed, escalated = _escalate_batch(now=now, size=size)
        except Exception:  # the batch rolled back; the next pass retries it
            log.exception("escalation batch failed")
            break
        total += escalated
        if claimed < size:
            break
    return total


def _escalate_batch(*, now: datetime, size: int) -> tuple[int, int]:
    """Claim up to `size` due appeals and escalate them in one transaction: (claimed, escalations)."""
    with transaction.atomic():
        _write_lock()
        rows = list(
            Appeal.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("place", "responsible_party", "category")
            .filter(next_due_at__lte=now)
            .order_by("next_due_at", "id")[:size]
        )
        return len(rows), _write_escalations(rows, now=now)


def _write_escalations(rows: list[Appeal], *, now: datetime) -> int:
    ladder = Ladder(a.place for a in rows)
    stamp = clock.now()
    events: list[AppealEvent] = []
    for appeal in rows:
        stage = deadlines.escalation_stage(appeal.status) or "accept"
        while appeal.next_due_at is not None and appeal.next_due_at <= now:
            level, party_id = ladder.next_rung(appeal=appeal)
            if party_id is None:  # no higher rung serves this place: nothing more can fall due
                log.info("appeal %s: no rung above level %s", appeal.pk, appeal.escalation_level)
                appeal.next_due_at = None
                break
            data = escalation_data(
                level=level,
                to_party_id=party_id,
                from_party_id=appeal.escalated_to_id,
                auto=True,
                reason_code=f"{stage}_overdue",
            )
            events.append(
                AppealEvent(
                    appeal=appeal,  # the loaded row: the fan-out reads nothing of it again
                    kind=EventKind.ESCALATED,
                    actor=None,
                    party_id=party_id,
                    text=REASONS[stage],
                    is_public=True,
                    data={"from": appeal.status, "to": appeal.status, **data},
                    created_at=stamp,
                )
            )
            appeal.escalation_level, appeal.escalated_to_id = level, party_id
            appeal.next_due_at = deadlines.next_due_of(appeal)
        appeal.updated_at = stamp
    _update_rungs(rows, stamp=stamp)
    _fan_out(_insert_events(events))
    return len(events)


def _fan_out(events: list[AppealEvent]) -> None:
    """Tell everyone of the batch's escalations in the batch's own transaction (`fanout.notify_loaded`
    on the rows already in memory: no job, no second read of the events and their appeals), so the
    inbox and outbox rows commit with the escalations, exactly once. If the fan-out itself fails, its
    savepoint rolls back and the batch queues its notification jobs instead: a notification fault never
    holds an escalation back."""
    try:
        with transaction.atomic():
            fanout.notify_loaded(events)
    except Exception:
        log.exception("escalation fan-out failed; queued as notification jobs")
        _notify([event.pk for event in events])


def _update_rungs(rows: list[Appeal], *, stamp: datetime) -> None:
    """Write the batch's new rungs in one statement. PostgreSQL: `UPDATE … FROM unnest(arrays)` (four
    arrays sent in binary, whatever the batch's size; `bulk_update`'s CASE per column and row cost a
    second and a half per 500 rows at 1M appeals). Elsewhere: `bulk_update`."""
    if not bulk.is_postgresql():
        for appeal in rows:
            appeal.updated_at = stamp
        Appeal.objects.bulk_update(rows, ["escalation_level", "escalated_to", "next_due_at", "updated_at"])
        return
    with bulk.array_cursor() as cur:
        cur.execute(
            f"""
            UPDATE {Appeal._meta.db_table} AS a
               SET escalation_level = v.level, escalated_to_id = v.party, next_due_at = v.due,
                   updated_at = %s
              FROM unnest(%b::bigint[], %b::smallint[], %b::bigint[], %b::timestamptz[])
                   AS v(id, level, party, due)
             WHERE a.id = v.id
            """,
            [
                stamp,
                [a.pk for a in rows],
                [a.escalation_level for a in rows],
                [a.escalated_to_id for a in rows],
                [a.next_due_at for a in rows],
            ],
        )


def _insert_events(events: list[AppealEvent]) -> list[AppealEvent]:
    """The batch's events in one INSERT (their ids set on them). PostgreSQL: `bulk.insert_returning`,
    the arrays sent in binary (`bulk_create` quotes each row's JSON in Python: ≈0.2 s per batch)."""
    if not events or not bulk.is_postgresql():
        return AppealEvent.objects.bulk_create(events)
    ids = bulk.insert_returning(
        AppealEvent._meta.db_table,
        {
            "appeal_id": bulk.Each("bigint", [e.appeal_id for e in events]),
            "kind": bulk.Each("text", [e.kind for e in events]),
            "actor_id": bulk.Each("bigint", [e.actor_id for e in events]),
            "party_id": bulk.Each("bigint", [e.party_id for e in events]),
            "created_at": bulk.Each("timestamptz", [e.created_at for e in events]),
            "is_public": bulk.Each("boolean", [e.is_public for e in events]),
            "text": bulk.Each("text", [e.text for e in events]),
            "data": bulk.Each("jsonb", [e.data for e in events]),
        },
    )
    for event, (pk,) in zip(events, ids, strict=True):
        event.pk = event.id = pk
        event._state.adding = False
    return events


def _write_lock() -> None:
    """No row locks in SQLite: take its one write lock before reading what is due (PostgreSQL locks
    the claimed rows with `FOR UPDATE SKIP LOCKED` instead)."""
    if connection.vendor == "sqlite":
        Appeal.objects.filter(pk=-1).update(next_due_at=None)


def _notify(event_ids: list[int]) -> None:
    """One notification job per `NOTIFY_BATCH` events, queued in the batch's transaction."""
    chunks = [event_ids[i : i + NOTIFY_BATCH] for i in range(0, len(event_ids), NOTIFY_BATCH)]
    jobs.enqueue_many(
        "appeals.notify_events",
        [{"event_ids": chunk} for chunk in chunks],
        dedupe_keys=[f"appeals.notify_events:{chunk[0]}-{chunk[-1]}" for chunk in chunks],
    )


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


# ---------------------------------------------------------------- the callback (回访)

CALLBACK_REMIND_AFTER = timedelta(days=3)
REMINDER_TEXT = "诉求已办结，请确认是否解决并评价；7天内未评价将自动关闭（不计入满意度）。"


def sweep_callbacks(*, now: datetime, batch: int | None = None) -> int:
    """Remind the resident once, then close as unrated when the 7-day callback window ends: both
    stages claim their due rows a batch at a time and write each batch set-based (the two stages take
    turns, so a backlog of reminders never holds the closes back). Returns reminders + closes written."""
    size = batch or BATCH
    started = time.monotonic()
    total = 0
    pending = [_remind_batch, _close_unrated_batch]
    while pending and time.monotonic() - started < SWEEP_SECONDS:
        for stage in list(pending):
            try:
                claimed, written = stage(now=now, size=size)
            except Exception:  # the batch rolled back; the next pass retries it
                log.exception("callback batch failed (%s)", stage.__name__)
                claimed, written = 0, 0
            total += written
            if claimed < size:
                pending.remove(stage)
    return total


def _remind_batch(*, now: datetime, size: int) -> tuple[int, int]:
    """Claim up to `size` resolved appeals owed their one reminder; write the reminders, their events
    and notification jobs in one transaction: (claimed, reminded)."""
    with transaction.atomic():
        _write_lock()
        reminded = CallbackReminder.objects.filter(
            appeal_id=OuterRef("pk"), resolved_at=OuterRef("resolved_at")
        )
        rows = list(
            Appeal.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=Status.RESOLVED,
                callback_due_at__gt=now,
                resolved_at__lte=now - CALLBACK_REMIND_AFTER,
            )
            .exclude(Exists(reminded))  # reminded ones are never read again: no starvation behind them
            .order_by("callback_due_at", "id")
            .values_list("id", "resolved_at")[:size]
        )
        if not rows:
            return 0, 0
        # The rows are locked now; a worker that reminded them first has committed: read again.
        done = set(
            CallbackReminder.objects.filter(appeal_id__in=[pk for pk, _ in rows]).values_list(
                "appeal_id", "resolved_at"
            )
        )
        fresh = [(pk, at) for pk, at in rows if at is not None and (pk, at) not in done]
        if not fresh:
            return len(rows), 0
        stamp = clock.now()
        # The unique (appeal, resolved_at) row is the claim: a duplicate rolls the batch back.
        CallbackReminder.objects.bulk_create(
            [CallbackReminder(appeal_id=pk, resolved_at=at, reminded_at=now) for pk, at in fresh]
        )
        Appeal.objects.filter(pk__in=[pk for pk, _ in fresh]).update(updated_at=stamp)
        events = AppealEvent.objects.bulk_create(
            [
                AppealEvent(
                    appeal_id=pk,
                    kind=EventKind.CALLBACK_REMINDED,
                    actor=None,
                    party=None,
                    text=REMINDER_TEXT,
                    is_public=True,
                    data={"resolved_at": at.isoformat()},
                    created_at=stamp,
                )
                for pk, at in fresh
            ]
        )
        _notify([e.pk for e in events])
        return len(rows), len(events)


def _close_unrated_batch(*, now: datetime, size: int) -> tuple[int, int]:
    """Claim up to `size` resolved appeals whose callback window has ended and close them unrated (the
    fields and event of the `close_unrated` transition) with one UPDATE, one INSERT of the events and
    their notification jobs: (claimed, closed)."""
    with transaction.atomic():
        _write_lock()
        ids = list(
            Appeal.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Status.RESOLVED, callback_due_at__lte=now)
            .order_by("callback_due_at", "id")
            .values_list("id", flat=True)[:size]
        )
        if not ids:
            return 0, 0
        stamp = clock.now()
        # Closed: nothing can fall due (`deadlines.next_due` is None for a closed appeal).
        Appeal.objects.filter(pk__in=ids, status=Status.RESOLVED).update(
            **unrated_close_fields(stamp), next_due_at=None, updated_at=stamp
        )
        events = AppealEvent.objects.bulk_create(
            [
                AppealEvent(
                    appeal_id=pk,
                    kind=EventKind.CLOSED_UNRATED,
                    actor=None,
                    party=None,
                    text=UNRATED_CLOSE_TEXT,
                    is_public=True,
                    data={"from": Status.RESOLVED, "to": Status.CLOSED},
                    created_at=stamp,
                )
                for pk in ids
            ]
        )
        _notify([e.pk for e in events])
        return len(ids), len(events)
