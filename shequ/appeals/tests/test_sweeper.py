"""The escalation sweep at scale: it reads only what can be escalated, in due order, and writes a batch
with a constant number of statements (the notifications of a whole batch included)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.appeals import sweeps
from shequ.appeals.models import Appeal, AppealEvent
from shequ.core import clock
from shequ.core.jobs import run_once
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
