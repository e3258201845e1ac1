"""Batched delivery of the outbox: a delivery job claims its rows, hands each channel's messages to the
sender in one `send_many` call and records the outcomes in a constant number of statements; retries
keep their backoff, two workers never send a row twice, and a worker that dies mid-batch loses nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from shequ.core import clock, jobs
from shequ.core.models import Job
from shequ.notifications import services
from shequ.notifications.models import Delivery, Notification
from shequ.notifications.senders import LoggingSender, OutgoingMessage, Sender, Undeliverable


class Recording(Sender):
    """A gateway with a batch API: records each call's delivery ids; `rule` decides each failure."""

    calls: list[list[int]] = []
    rule = staticmethod(lambda m: None)

    def send_many(self, messages):
        Recording.calls.append([m.delivery_id for m in messages])
        return {m.delivery_id: exc for m in messages if (exc := Recording.rule(m)) is not None}


def mixed(m: OutgoingMessage) -> Exception | None:
    """Every third message has no phone, every third one after it meets a gateway error of its own."""
    if m.delivery_id % 3 == 1:
        return Undeliverable("no phone")
    if m.delivery_id % 3 == 2:
        return ConnectionError(f"gateway down for {m.delivery_id}")
    return None


@pytest.fixture
def recording(settings):
    settings.SHEQU_NOTIFICATION_SENDERS = {"sms": "shequ.notifications.tests.test_delivery.Recording"}
    Recording.calls = []
    Recording.rule = staticmethod(lambda m: None)
    return Recording


def _outbox(user, n: int, *, tag: str, attempts: int = 0) -> list[int]:
    notes = Notification.objects.bulk_create(
        [
            Notification(recipient=user, verb="appeal.escalated", title=f"升级{i}", key=f"{tag}:{i}")
            for i in range(n)
        ]
    )
    rows = Delivery.objects.bulk_create(
        [Delivery(notification=note, channel="sms", attempts=attempts) for note in notes]
    )
    return sorted(r.pk for r in rows)


def _claim_statements() -> int:
    return 3 if connection.vendor == "postgresql" else 4


def _statements(ids: list[int], *, attempts: int = 0) -> tuple[int, dict[str, int]]:
    with CaptureQueriesContext(connection) as ctx:
        counts = services.deliveries_send(delivery_ids=ids, attempts=attempts)
    return len(ctx.captured_queries), counts


def test_the_logging_sender_gets_a_batch_in_one_call_and_statements_do_not_grow(world):
    few, many = _outbox(world.handler_x, 5, tag="few"), _outbox(world.handler_x, 500, tag="many")
    q_few, c_few = _statements(few)
    assert LoggingSender.batches[-1] == 5
    q_many, c_many = _statements(many)
    assert LoggingSender.batches[-1] == 500  # one call for the whole batch
    assert (c_few, c_many) == ({"sent": 5}, {"sent": 500})
    # savepoint, the claim of the rows with their messages (PostgreSQL: one statement; SQLite: the
    # locking read, then the conditional UPDATE … RETURNING), release
    assert q_few == q_many == _claim_statements()
    assert {m.delivery_id for m in LoggingSender.sent} == set(many[-100:])
    assert set(Delivery.objects.filter(pk__in=few + many).values_list("status", "attempts")) == {("sent", 1)}


def test_failures_cost_one_update_per_outcome_whatever_the_batch(world, recording):
    recording.rule = staticmethod(mixed)
    few, many = _outbox(world.handler_x, 5, tag="few"), _outbox(world.handler_x, 500, tag="many")
    t0 = clock.now()
    with clock.frozen(t0):
        q_few, c_few = _statements(few)
        q_many, c_many = _statements(many)
    assert [len(c) for c in recording.calls] == [5, 500]
    assert sum(c_many.values()) == 500 and set(c_many) == set(c_few) == {"sent", "skipped", "retry"}
    # + skipped UPDATE, retry UPDATE, the one retry job (savepoint, INSERT, release)
    assert q_few == q_many == _claim_statements() + 2 + 3
    for row in Delivery.objects.filter(pk__in=many):
        assert row.attempts == 1
        if row.pk % 3 == 1:
            assert (row.status, row.last_error, row.sent_at) == ("skipped", "no phone", None)
        elif row.pk % 3 == 2:  # due again after 30 s, with its own error
            assert (row.status, row.sent_at) == ("pending", None)
            assert row.next_attempt_at == t0 + timedelta(seconds=30)
            assert row.last_error == repr(ConnectionError(f"gateway down for {row.pk}"))
        else:
            assert (row.status, row.last_error) == ("sent", "") and row.sent_at == t0
    retries = [
        j for j in Job.objects.filter(name="notifications.deliver_many") if j.payload.get("attempts") == 1
    ]
    assert sorted(len(j.payload["delivery_ids"]) for j in retries) == sorted(
        len([i for i in batch if i % 3 == 2]) for batch in (few, many)
    )
    retry = max(retries, key=lambda j: len(j.payload["delivery_ids"]))
    assert retry.payload["delivery_ids"] == [i for i in many if i % 3 == 2]
    assert retry.run_at == t0 + timedelta(seconds=30)

    # the last attempt: failed for good, no further job, same number of statements
    last_few = _outbox(world.handler_x, 5, tag="lastfew", attempts=services.DELIVERY_MAX_ATTEMPTS - 1)
    last_many = _outbox(world.handler_x, 500, tag="lastmany", attempts=services.DELIVERY_MAX_ATTEMPTS - 1)
    jobs_before = Job.objects.count()
    q_last_few, c_last = _statements(last_few, attempts=services.DELIVERY_MAX_ATTEMPTS - 1)
    q_last_many, _ = _statements(last_many, attempts=services.DELIVERY_MAX_ATTEMPTS - 1)
    assert set(c_last) == {"sent", "skipped", "failed"} and Job.objects.count() == jobs_before
    assert q_last_few == q_last_many == _claim_statements() + 2
    failed = Delivery.objects.get(pk=[i for i in last_many if i % 3 == 2][0])
    assert failed.status == "failed" and failed.attempts == services.DELIVERY_MAX_ATTEMPTS
    assert f"gateway down for {failed.pk}" in failed.last_error


def test_retries_back_off_and_only_the_failed_rows_are_sent_again(world, recording):
    ids = _outbox(world.handler_x, 3, tag="r")
    fails = {ids[1]: 2}  # the middle one fails twice, then goes through

    def flaky(m):
        if fails.get(m.delivery_id, 0) > 0:
            fails[m.delivery_id] -= 1
            return ConnectionError("gateway down")
        return None

    recording.rule = staticmethod(flaky)
    t0 = clock.now()
    with clock.frozen(t0):
        jobs.enqueue("notifications.deliver_many", delivery_ids=ids)
        jobs.run_once(now=t0)
    assert recording.calls == [ids]
    jobs.run_once(now=t0 + timedelta(seconds=29))
    assert len(recording.calls) == 1  # not due yet
    with clock.frozen(t0 + timedelta(seconds=31)):
        jobs.run_once(now=clock.now())
    assert recording.calls[1:] == [[ids[1]]]  # only the failed row, at its second attempt
    row = Delivery.objects.get(pk=ids[1])
    assert row.attempts == 2 and row.next_attempt_at == t0 + timedelta(seconds=31 + 60)
    with clock.frozen(t0 + timedelta(seconds=92)):
        jobs.run_once(now=clock.now())
    assert recording.calls[2:] == [[ids[1]]]
    assert list(Delivery.objects.filter(pk__in=ids).order_by("pk").values_list("status", "attempts")) == [
        ("sent", 1),
        ("sent", 3),
        ("sent", 1),
    ]
    # a job for an attempt the rows are no longer at (a duplicate, a stale one) sends nothing
    assert services.deliveries_send(delivery_ids=ids, attempts=1) == {}
    assert services.deliveries_send(delivery_ids=ids, attempts=0) == {}
    assert len(recording.calls) == 3


def test_a_sender_that_raises_retries_its_whole_batch(world, recording):
    def down(m):
        raise ConnectionError("no route to gateway")

    recording.rule = staticmethod(down)
    ids = _outbox(world.handler_x, 4, tag="down")
    assert services.deliveries_send(delivery_ids=ids) == {"retry": 4}
    assert set(Delivery.objects.filter(pk__in=ids).values_list("status", "attempts")) == {("pending", 1)}


class Crash(BaseException):
    """The worker process dying (not an error the job runner catches)."""


def test_a_worker_dying_mid_batch_loses_nothing(world, recording, monkeypatch):
    ids = _outbox(world.handler_x, 6, tag="crash")
    dies = [True]

    def die_once(m):
        if dies[0] and m.delivery_id == ids[3]:
            dies[0] = False
            raise Crash
        return None

    class Dying(Recording):
        def send_many(self, messages):
            Recording.calls.append([m.delivery_id for m in messages])
            for m in messages:
                die_once(m)
            return {}

    t0 = clock.now()
    with clock.frozen(t0):
        jobs.enqueue("notifications.deliver_many", delivery_ids=ids)
    monkeypatch.setattr("shequ.notifications.senders.sender_for", lambda channel: Dying())
    with pytest.raises(Crash):
        jobs.run_once(now=t0)
    # nothing committed: every row still waits for its first attempt, the job for its lock to expire
    assert set(Delivery.objects.filter(pk__in=ids).values_list("status", "attempts")) == {("pending", 0)}
    assert jobs.run_once(now=t0 + timedelta(seconds=60))["jobs"] == 0
    assert jobs.run_once(now=t0 + timedelta(seconds=jobs.LOCK_SECONDS + 1))["jobs"] == 1
    assert recording.calls == [ids, ids]  # sent again whole, under the same delivery ids
    assert set(Delivery.objects.filter(pk__in=ids).values_list("status", "attempts")) == {("sent", 1)}


def test_two_workers_never_send_a_row_twice(django_db_setup, django_db_blocker, settings):
    """Worker A is inside its batch (rows claimed, sender busy) when worker B runs a job with the same
    rows (a re-claimed stale job): B sends none of them — PostgreSQL skips A's locked rows, SQLite
    makes B wait for A's commit (or fail, to be retried) and then finds them sent. Real commits."""
    settings.SHEQU_NOTIFICATION_SENDERS = {"sms": "shequ.notifications.tests.test_delivery.Blocking"}
    with django_db_blocker.unblock():
        from shequ.conftest import make_user

        user = make_user("13900000777", "并发测试")
        ids = _outbox(user, 50, tag="two")
        Blocking.reset()
        results: dict[str, object] = {}

        def worker(name: str) -> None:
            try:
                results[name] = services.deliveries_send(delivery_ids=ids)
            except OperationalError as exc:  # SQLite: database locked, the job would be retried
                results[name] = exc
            finally:
                connection.close()

        try:
            a = threading.Thread(target=worker, args=("a",))
            a.start()
            assert Blocking.inside.wait(10)
            b = threading.Thread(target=worker, args=("b",))
            b.start()
            b.join(3 if connection.vendor == "sqlite" else 10)
            b_done_while_a_sends = not b.is_alive()
            Blocking.release.set()
            a.join(20)
            b.join(20)
            assert results["a"] == {"sent": 50}
            assert results["b"] == {} or isinstance(results["b"], OperationalError)
            if connection.vendor == "postgresql":  # skipped the locked rows at once, while A was sending
                assert b_done_while_a_sends and results["b"] == {}
            assert Blocking.sent == ids  # each row once
            # after A's commit, another run finds nothing to send
            assert services.deliveries_send(delivery_ids=ids) == {}
            assert set(Delivery.objects.filter(pk__in=ids).values_list("status", "attempts")) == {("sent", 1)}
        finally:
            Blocking.release.set()
            Notification.objects.filter(key__startswith="two:").delete()
            user.delete()


class Blocking(Sender):
    inside = threading.Event()
    release = threading.Event()
    sent: list[int] = []

    @classmethod
    def reset(cls) -> None:
        cls.inside, cls.release, cls.sent = threading.Event(), threading.Event(), []

    def send_many(self, messages):
        Blocking.sent += [m.delivery_id for m in messages]
        Blocking.inside.set()
        Blocking.release.wait(20)
        return {}
