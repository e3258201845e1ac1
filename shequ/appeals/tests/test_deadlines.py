"""Time limits (DESIGN §3 defaults, the seeded policies); pausing stops the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shequ.appeals import deadlines, services
from shequ.core import clock

# Limits are configurable (DeadlinePolicy rows, read through appeals.calendar): every figure reads them.
pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("time_class", "urgency", "accept", "resolve"),
    [
        ("general", "normal", timedelta(hours=2), timedelta(days=7)),
        ("utility", "normal", timedelta(hours=2), timedelta(hours=24)),
        ("complex", "normal", timedelta(hours=2), timedelta(days=15)),
        ("general", "urgent", timedelta(hours=2), timedelta(hours=24)),
        ("utility", "emergency", timedelta(minutes=30), timedelta(hours=2)),
        ("complex", "emergency", timedelta(minutes=30), timedelta(hours=2)),
    ],
)
def test_due_times(time_class, urgency, accept, resolve):
    due = deadlines.due_times(time_class=time_class, urgency=urgency, start=T0)
    assert due.accept_due_at == T0 + accept
    assert due.resolve_due_at == T0 + resolve


def test_paused_seconds_push_due_times():
    due = deadlines.due_times(time_class="general", urgency="normal", start=T0, paused_seconds=3600)
    assert due.resolve_due_at == T0 + timedelta(days=7, hours=1)
    assert deadlines.extend(None, seconds=5) is None


def test_callback_window():
    assert deadlines.callback_due(resolved_at=T0) == T0 + timedelta(days=7)


@pytest.mark.django_db
def test_pause_stops_the_clock(world, file_appeal):
    with clock.frozen(T0):
        appeal = file_appeal(category="lift")  # utility, normal: 2 h to accept, 24 h to resolve
    assert appeal.accept_due_at == T0 + timedelta(hours=2)
    assert appeal.resolve_due_at == T0 + timedelta(hours=24)
    with clock.frozen(T0 + timedelta(minutes=10)):
        appeal = services.appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    with clock.frozen(T0 + timedelta(hours=1)):
        appeal = services.appeal_transition(
            appeal=appeal, actor=world.handler_x, action="pause", reason="等配件"
        )
    assert appeal.paused_at == T0 + timedelta(hours=1)
    with clock.frozen(T0 + timedelta(hours=4)):
        appeal = services.appeal_transition(appeal=appeal, actor=world.handler_x, action="resume")
    assert appeal.paused_seconds == 3 * 3600
    assert appeal.paused_at is None
    assert appeal.resolve_due_at == T0 + timedelta(hours=27)
    # A second pause adds up, and resolving straight from a pause closes the pause window.
    with clock.frozen(T0 + timedelta(hours=5)):
        appeal = services.appeal_transition(
            appeal=appeal, actor=world.handler_x, action="pause", reason="再等"
        )
    with clock.frozen(T0 + timedelta(hours=6)):
        appeal = services.appeal_transition(
            appeal=appeal, actor=world.handler_x, action="resolve", text="修好了"
        )
    assert appeal.paused_seconds == 4 * 3600
    assert appeal.resolve_due_at == T0 + timedelta(hours=28)
    assert appeal.resolved_at == T0 + timedelta(hours=6)
    assert appeal.callback_due_at == T0 + timedelta(hours=6, days=7)


@pytest.mark.django_db
def test_emergency_limits_on_create(world, file_appeal):
    with clock.frozen(T0):
        appeal = file_appeal(category="gas", urgency="emergency")
    assert appeal.accept_due_at == T0 + timedelta(minutes=30)
    assert appeal.resolve_due_at == T0 + timedelta(hours=2)


@pytest.mark.django_db
def test_redispatch_restarts_accept_clock_only(world, file_appeal):
    with clock.frozen(T0):
        appeal = file_appeal(category="neighbour-dispute")
    with clock.frozen(T0 + timedelta(hours=1)):
        appeal = services.appeal_transition(
            appeal=appeal, actor=world.rc_staff, action="redispatch", to_party=world.police, reason="涉及治安"
        )
    assert appeal.accept_due_at == T0 + timedelta(hours=3)
    assert appeal.resolve_due_at == T0 + timedelta(days=7)
    assert appeal.first_party == world.mutual_aid
    assert appeal.responsible_party == world.police
