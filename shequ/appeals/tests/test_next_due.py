"""Appeal.next_due_at: kept by appeal_create and appeal_transition on every change, equal to the
pure `deadlines.next_due`, and recomputed set-based by `sweeps.next_due_refresh` to the same values."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shequ.appeals import deadlines
from shequ.appeals.models import Appeal
from shequ.appeals.services import appeal_transition
from shequ.appeals.sweeps import next_due_refresh
from shequ.core import clock

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=SH)  # a Monday


def reload(appeal) -> Appeal:
    return Appeal.objects.select_related("category").get(pk=appeal.pk)


def test_next_due_follows_every_change(world, file_appeal):
    with clock.frozen(T0):
        appeal = file_appeal(urgency="emergency")
    a = reload(appeal)
    assert a.next_due_at == a.accept_due_at == T0 + timedelta(minutes=30)

    with clock.frozen(T0 + timedelta(minutes=31)):
        appeal_transition(appeal=a, actor=None, action="escalate", reason="超时")
    a = reload(appeal)
    # the next rung: one accept interval (30 min for an emergency) after the limit
    assert (a.escalation_level, a.next_due_at) == (1, T0 + timedelta(minutes=60))

    with clock.frozen(T0 + timedelta(minutes=40)):
        appeal_transition(appeal=a, actor=world.handler_x, action="accept")
    a = reload(appeal)
    interval = deadlines.escalation_interval(
        urgency="emergency", time_class="utility", category_id=a.category_id, stage="resolve"
    )
    assert a.next_due_at == a.resolve_due_at + interval  # level 1 carries over to the resolve chain

    with clock.frozen(T0 + timedelta(minutes=50)):
        appeal_transition(appeal=a, actor=world.handler_x, action="pause", reason="等配件")
    assert reload(appeal).next_due_at is None  # paused: the clock stops
    with clock.frozen(T0 + timedelta(minutes=80)):
        appeal_transition(appeal=a, actor=world.handler_x, action="resume")
    a = reload(appeal)
    assert a.next_due_at == a.resolve_due_at + interval and a.next_due_at == deadlines.next_due_of(a)

    with clock.frozen(T0 + timedelta(minutes=90)):
        appeal_transition(appeal=a, actor=world.handler_x, action="resolve", text="修好了")
    assert reload(appeal).next_due_at is None


def test_nothing_due_for_a_private_consultation(world, file_appeal):
    with clock.frozen(T0):
        consult = file_appeal(category="health", kind="consult", text="血压高怎么办")
    a = reload(consult)
    assert a.accept_due_at is not None and a.next_due_at is None


def test_top_of_the_ladder_has_nothing_due(world, file_appeal):
    with clock.frozen(T0):
        appeal = file_appeal(urgency="emergency")
    for minutes in (31, 61, 91):
        with clock.frozen(T0 + timedelta(minutes=minutes)):
            appeal_transition(appeal=reload(appeal), actor=None, action="escalate", reason="超时")
    a = reload(appeal)
    assert a.escalation_level == 3 and a.next_due_at is None


def test_set_based_refresh_equals_the_transition_function(world, file_appeal):
    with clock.frozen(T0):
        rows = [
            file_appeal(urgency="emergency"),
            file_appeal(urgency="normal", category="garbage", place=world.compound_a),
            file_appeal(urgency="urgent"),
            file_appeal(category="health", kind="consult", text="咨询"),
        ]
    with clock.frozen(T0 + timedelta(hours=3)):
        appeal_transition(appeal=reload(rows[0]), actor=None, action="escalate", reason="超时")
        appeal_transition(appeal=reload(rows[2]), actor=world.handler_x, action="accept")
        appeal_transition(appeal=reload(rows[2]), actor=None, action="escalate", reason="超时")
        appeal_transition(appeal=reload(rows[2]), actor=None, action="escalate", reason="超时")
    expected = dict(Appeal.objects.values_list("id", "next_due_at"))
    Appeal.objects.update(next_due_at=T0 - timedelta(days=99))  # scrambled
    next_due_refresh()
    assert dict(Appeal.objects.values_list("id", "next_due_at")) == expected
    assert sum(v is not None for v in expected.values()) == 3
