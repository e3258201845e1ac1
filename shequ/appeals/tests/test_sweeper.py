"""The escalation sweep at scale: it reads only what can be escalated, in due order, and writes a batch
with a constant number of statements (the notifications of a whole batch included)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.appeals import fanout, sweeps
from shequ.appeals.models import Appeal, AppealEvent
from shequ.core import clock
from shequ.core.jobs import run_once
from shequ.core.models import Job
from shequ.notifications.models import Delivery, Notification

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=SH)  # a Monday


def test_consultations_ahead_of_the_queue_do_not_starve_it(world, file_appeal, monkeypatch):
    """More than a batch of overdue private consultations, due earlier than the escalatable appeals:
    the escalatable ones still escalate in one sweep (the consultations are never even claimed)."""
    monkeypatch.setattr(sweeps, "BATCH", 3)
    with clock.frozen(T0):
        consults = [
            file_appeal(category="health", kind="consult", text=f"咨询{i}", urgency="emergency")
            for i in range(7)
        ]
    with clock.frozen(T0 + timedelta(minutes=5)):
        appeals = [file_appeal(urgency="emergency", text=f"电梯{i}") for i in range(4)]
    at = T0 + timedelta(minutes=40)
    with clock.frozen(at):
        assert sweeps.sweep_escalations(now=at) == 4
    assert set(Appeal.objects.filter(escalation_level=1).values_list("id", flat=True)) == {
        a.pk for a in appeals
    }
    assert not Appeal.objects.filter(pk__in=[c.pk for c in consults], escalation_level__gt=0).exists()


def test_an_appeal_owing_several_rungs_climbs_them_all_in_one_sweep(world, file_appeal):
    with clock.frozen(T0):
        appeal = file_appeal(urgency="emergency")
    at = T0 + timedelta(minutes=95)  # past +30, +60 and +90
    with clock.frozen(at):
        assert run_once(now=at)["appeals.escalate"] == 3
    a = Appeal.objects.get(pk=appeal.pk)
    assert (a.escalation_level, a.escalated_to, a.next_due_at) == (3, world.street_office, None)
    parties = list(
        AppealEvent.objects.filter(appeal=appeal, kind="escalated")
        .order_by("id")
        .values_list("party_id", flat=True)
    )
    assert parties == [world.env_committee.pk, world.party_org.pk, world.street_office.pk]  # each once
    # the reporter hears of each rung once; the street office's staff once
    assert Notification.objects.filter(recipient=world.resident_a, verb="appeal.escalated").count() == 3
    assert Notification.objects.filter(recipient=world.street_leader, verb="appeal.escalated").count() <= 1


def _sweep_statements(world, file_appeal, n: int, start: datetime) -> tuple[int, int]:
    with clock.frozen(start):
        for i in range(n):
            file_appeal(urgency="emergency", text=f"电梯困人{i}")
        run_once(now=start)  # the filings' own notifications, before the measurement
    at = start + timedelta(minutes=40)
    with clock.frozen(at), CaptureQueriesContext(connection) as ctx:
        escalated = run_once(now=at)["appeals.escalate"]
    Appeal.objects.update(next_due_at=None)  # out of the next measurement
    return escalated, len(ctx.captured_queries)


def test_a_batch_costs_the_same_statements_whatever_its_size(world, file_appeal):
    """Escalations, events, inbox rows, outbox rows and their sending: a constant number of statements
    for 3 or for 30 appeals (one notification job per batch, one delivery job per outbox batch)."""
    few, q_few = _sweep_statements(world, file_appeal, 3, T0)
    many, q_many = _sweep_statements(world, file_appeal, 30, T0 + timedelta(hours=1))
    assert (few, many) == (3, 30)
    # 10× the appeals: at most one more delivery job's statements (one job per 200 outbox rows)
    assert q_many <= q_few + 12, (q_few, q_many)
    assert Delivery.objects.filter(status="pending").count() == 0  # every outbox row was handled


def _statements(ctx: CaptureQueriesContext) -> int:
    """Statements run, one `bulk_create` counted once: SQLite's portable path splits a bulk INSERT into
    chunks of at most 999 parameters (PostgreSQL sends each batch as arrays, one statement)."""
    n, previous = 0, ""
    for query in ctx.captured_queries:
        head = query["sql"].split("(", 1)[0]
        if not (head.startswith("INSERT") and head == previous):
            n += 1
        previous = head
    return n


def _batch_statements(world, file_appeal, n: int, start: datetime) -> tuple[int, int, int]:
    """One escalation batch of `n` appeals (its fan-out included): (escalations, statements, inbox rows)."""
    from shequ.appeals import calendar

    with clock.frozen(start):
        for i in range(n):
            file_appeal(urgency="emergency", text=f"电梯困人{i}")
        run_once(now=start)  # the filings' own notifications, before the measurement
    at = start + timedelta(minutes=40)
    inbox_before = Notification.objects.count()
    calendar.clear_cache()  # both measurements read the time limits afresh
    with clock.frozen(at), CaptureQueriesContext(connection) as ctx:
        escalated = sweeps.sweep_escalations(now=at)
    Appeal.objects.update(next_due_at=None)  # out of the next measurement
    return escalated, _statements(ctx), Notification.objects.count() - inbox_before


def test_an_escalation_batch_and_its_fan_out_cost_the_same_statements_for_3_or_30(world, file_appeal):
    """The batch tells everyone in its own transaction: claim, rungs, events, audience, inbox, channel
    choices, outbox and the delivery jobs — the same statements whatever the batch's size."""
    few, q_few, told_few = _batch_statements(world, file_appeal, 3, T0)
    many, q_many, told_many = _batch_statements(world, file_appeal, 30, T0 + timedelta(hours=1))
    assert (few, many) == (3, 30)
    assert told_few > 0 and told_many == told_few * 10  # the reporter and the parties, for each rung
    assert q_many == q_few, (q_few, q_many)
    assert not Job.objects.filter(name="appeals.notify_events").exists()  # no second pass over the events


def test_the_fan_out_of_5_or_500_events_costs_the_same_statements(world, file_appeal):
    """`notify_events_now` (the notification jobs): one read of the events, one audience read, one
    INSERT of inbox rows, two reads of channel choices, one INSERT of outbox rows, their jobs."""
    with clock.frozen(T0):
        appeals = [file_appeal(urgency="emergency", text=f"电梯{i}") for i in range(5)]

    def events(per_appeal: int) -> list[int]:
        rows = AppealEvent.objects.bulk_create(
            [
                AppealEvent(
                    appeal=a,
                    kind="escalated",
                    party=world.env_committee,
                    text="超过签收时限仍未签收，系统自动升级。",
                    data={"level": 1, "to_party": world.env_committee.pk, "auto": True},
                )
                for a in appeals
                for _ in range(per_appeal)
            ]
        )
        return [e.pk for e in rows]

    counts = []
    for per_appeal in (1, 100):
        ids = events(per_appeal)
        before = Notification.objects.count()
        with clock.frozen(T0), CaptureQueriesContext(connection) as ctx:
            fanout.notify_events_now(ids)
        counts.append(_statements(ctx))
        told = Notification.objects.filter(key__in=[f"appeal-event-{i}" for i in ids])
        assert told.count() == Notification.objects.count() - before
        # every event tells the reporter and the committee's director, once each
        assert set(told.values_list("recipient_id", flat=True)) >= {world.resident_a.pk}
        assert told.filter(recipient=world.resident_a).count() == len(ids)
    assert counts[0] == counts[1], counts


def test_a_failing_fan_out_still_escalates_and_queues_the_notifications(world, file_appeal, monkeypatch):
    """The fan-out runs in a savepoint: if it fails, the escalations still commit with notification jobs
    for them, and those jobs tell everyone once."""
    with clock.frozen(T0):
        appeal = file_appeal(urgency="emergency")
        run_once(now=T0)

    def broken(events):
        Notification.objects.create(recipient=world.resident_a, verb="x", title="x", key="half-written")
        raise RuntimeError("inbox down")

    monkeypatch.setattr(fanout, "notify_loaded", broken)
    at = T0 + timedelta(minutes=40)
    with clock.frozen(at):
        assert sweeps.sweep_escalations(now=at) == 1
    assert Appeal.objects.get(pk=appeal.pk).escalation_level == 1
    assert not Notification.objects.filter(key="half-written").exists()  # the savepoint rolled it back
    assert Job.objects.filter(name="appeals.notify_events", status="queued").count() == 1
    monkeypatch.undo()
    with clock.frozen(at):
        run_once(now=at)
    event = AppealEvent.objects.get(appeal=appeal, kind="escalated")
    assert (
        Notification.objects.filter(recipient=world.resident_a, key=f"appeal-event-{event.pk}").count() == 1
    )
