"""The callback sweep is set-based: a backlog larger than a batch is cleared batch by batch, each
batch in a constant number of queries, every reminder and every unrated close exactly once — also
with two workers at once (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from shequ.appeals import sweeps
from shequ.appeals.models import Appeal, AppealEvent, CallbackReminder
from shequ.appeals.services import appeal_transition
from shequ.core import clock
from shequ.core.jobs import run_once
from shequ.notifications.models import Notification

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=SH)
REMIND_AT = T0 + timedelta(days=3, minutes=1)
CLOSE_AT = T0 + timedelta(days=7, minutes=1)


def _resolved(world, file_appeal, n: int) -> list[int]:
    ids = []
    with clock.frozen(T0):
        for i in range(n):
            appeal = file_appeal(urgency="normal", text=f"电梯门关不上，第{i}次反映")
            appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
            appeal_transition(appeal=appeal, actor=world.handler_x, action="resolve", text="已更换门机")
            ids.append(appeal.pk)
    return ids


def _events(ids: list[int], kind: str) -> list[int]:
    return sorted(
        AppealEvent.objects.filter(appeal_id__in=ids, kind=kind).values_list("appeal_id", flat=True)
    )


def test_a_backlog_larger_than_a_batch_is_cleared_once_each(world, file_appeal):
    ids = _resolved(world, file_appeal, 5)
    with clock.frozen(REMIND_AT):
        assert sweeps.sweep_callbacks(now=REMIND_AT, batch=2) == 5
        assert sweeps.sweep_callbacks(now=REMIND_AT, batch=2) == 0  # reminded once only
        run_once(now=REMIND_AT)
    assert _events(ids, "callback_reminded") == sorted(ids)
    assert CallbackReminder.objects.filter(appeal_id__in=ids).count() == 5
    assert (
        Notification.objects.filter(recipient=world.resident_a, verb="appeal.callback_reminded").count() == 5
    )
    with clock.frozen(CLOSE_AT):
        assert sweeps.sweep_callbacks(now=CLOSE_AT, batch=2) == 5
        assert sweeps.sweep_callbacks(now=CLOSE_AT, batch=2) == 0
        run_once(now=CLOSE_AT)
    assert _events(ids, "closed_unrated") == sorted(ids)
    for a in Appeal.objects.filter(pk__in=ids):
        assert a.status == "closed" and a.closed_unrated and a.closed_at == CLOSE_AT
        assert a.callback_due_at is None and a.next_due_at is None and a.rating is None
    event = AppealEvent.objects.filter(appeal_id=ids[0], kind="closed_unrated").get()
    assert event.actor is None and event.party is None and event.is_public
    assert event.data == {"from": "resolved", "to": "closed"}
    assert Notification.objects.filter(recipient=world.resident_a, verb="appeal.closed_unrated").count() == 5


@pytest.mark.parametrize("n", [2, 8])
def test_one_batch_takes_the_same_queries_whatever_its_size(
    world, file_appeal, django_assert_max_num_queries, n
):
    # A batch: claim, re-read the claims, INSERT reminders, UPDATE appeals, INSERT events, queue the
    # notification job (+ SQLite's write lock, savepoints and the empty second stage): 15 for 2 or 8.
    _resolved(world, file_appeal, n)
    with clock.frozen(REMIND_AT), django_assert_max_num_queries(15):
        assert sweeps.sweep_callbacks(now=REMIND_AT) == n
    with clock.frozen(CLOSE_AT), django_assert_max_num_queries(15):
        assert sweeps.sweep_callbacks(now=CLOSE_AT) == n


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_remind_and_close_each_appeal_once(world, file_appeal):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writers anyway)")
    ids = _resolved(world, file_appeal, 8)
    for at in (REMIND_AT, CLOSE_AT):
        barrier = threading.Barrier(2)
        written: list[int] = []

        def work(at=at, barrier=barrier, written=written):
            from django.db import connections

            try:
                barrier.wait()
                with clock.frozen(at):
                    written.append(sweeps.sweep_callbacks(now=at, batch=2))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(written) == 8, written
    assert _events(ids, "callback_reminded") == sorted(ids)
    assert _events(ids, "closed_unrated") == sorted(ids)
    assert Appeal.objects.filter(pk__in=ids, status="closed", closed_unrated=True).count() == 8
