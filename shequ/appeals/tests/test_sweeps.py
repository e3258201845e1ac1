"""The escalation ladder and the callback window, driven by a controllable clock and `run_once`."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from shequ.appeals.models import Appeal, AppealEvent
from shequ.appeals.services import appeal_transition
from shequ.core import clock
from shequ.core.jobs import run_once
from shequ.notifications.models import Notification

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=SH)  # a Monday


def sweep(at: datetime) -> dict:
    with clock.frozen(at):
        return run_once(now=at)


def reload(appeal) -> Appeal:
    return Appeal.objects.select_related("escalated_to", "responsible_party", "first_party").get(pk=appeal.pk)


def test_emergency_lift_climbs_the_ladder(world, file_appeal):
    with clock.frozen(T0):
        appeal = file_appeal(urgency="emergency")
    assert appeal.responsible_party == world.company_x
    assert appeal.accept_due_at == T0 + timedelta(minutes=30)

    assert sweep(T0 + timedelta(minutes=29))["appeals.escalate"] == 0
    assert sweep(T0 + timedelta(minutes=31))["appeals.escalate"] == 1
    a = reload(appeal)
    assert (a.escalation_level, a.escalated_to) == (1, world.env_committee)
    assert a.responsible_party == world.company_x and a.first_party == world.company_x  # still accountable
    event = AppealEvent.objects.filter(appeal=a, kind="escalated").get()
    assert event.actor is None and event.is_public and event.data["level"] == 1 and event.data["auto"]
    # the 环物会 director hears about it
    assert Notification.objects.filter(recipient=world.env_director, verb="appeal.escalated").exists()

    # a second pass at the same time does nothing more (idempotent)
    assert sweep(T0 + timedelta(minutes=32))["appeals.escalate"] == 0
    # one more interval (30 min) unanswered → the community party organisation, then the street office
    assert sweep(T0 + timedelta(minutes=61))["appeals.escalate"] == 1
    assert reload(appeal).escalated_to == world.party_org
    assert sweep(T0 + timedelta(minutes=91))["appeals.escalate"] == 1
    a = reload(appeal)
    assert (a.escalation_level, a.escalated_to) == (3, world.street_office)
    assert sweep(T0 + timedelta(hours=5))["appeals.escalate"] == 0  # top of the ladder
    assert AppealEvent.objects.filter(appeal=a, kind="escalated").count() == 3


def test_accepting_stops_the_accept_ladder(world, file_appeal):
    with clock.frozen(T0):
        appeal = file_appeal(urgency="emergency")
    sweep(T0 + timedelta(minutes=31))
    with clock.frozen(T0 + timedelta(minutes=40)):
        appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    assert sweep(T0 + timedelta(minutes=61))["appeals.escalate"] == 0
    assert reload(appeal).escalation_level == 1


def test_resolve_overdue_escalates_to_the_committee(world, file_appeal):
    with clock.frozen(T0):
        appeal = file_appeal(urgency="normal")  # lift: 2 h to accept, 24 h to resolve
        appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    assert sweep(T0 + timedelta(hours=23))["appeals.escalate"] == 0
    assert sweep(T0 + timedelta(hours=24, minutes=1))["appeals.escalate"] == 1
    assert reload(appeal).escalated_to == world.env_committee
    data = AppealEvent.objects.get(appeal=appeal, kind="escalated").data
    assert data["reason_code"] == "resolve_overdue"


def test_pausing_stops_the_resolve_clock(world, file_appeal):
    with clock.frozen(T0):
        appeal = file_appeal(urgency="normal")
        appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    with clock.frozen(T0 + timedelta(hours=1)):
        appeal_transition(appeal=appeal, actor=world.handler_x, action="pause", reason="等配件")
    assert sweep(T0 + timedelta(hours=30))["appeals.escalate"] == 0  # paused: no escalation
    with clock.frozen(T0 + timedelta(hours=11)):
        appeal_transition(appeal=appeal, actor=world.handler_x, action="resume")
    assert reload(appeal).resolve_due_at == T0 + timedelta(hours=34)
    assert sweep(T0 + timedelta(hours=33))["appeals.escalate"] == 0
    assert sweep(T0 + timedelta(hours=34, minutes=1))["appeals.escalate"] == 1


def test_non_property_appeal_goes_to_the_residents_committee_first(world, file_appeal):
    with clock.frozen(T0):
        appeal = file_appeal(category="neighbour-dispute", urgency="normal", text="楼上噪音")
    party = appeal.responsible_party
    sweep(T0 + timedelta(hours=2, minutes=1))
    a = reload(appeal)
    assert a.escalation_level == 1
    assert a.escalated_to.kind in ("residents_committee", "party_org") and a.escalated_to != party


def test_manual_escalation_with_a_reason(world, file_appeal):
    with clock.frozen(T0):
        appeal = file_appeal(urgency="normal")
        appeal_transition(appeal=appeal, actor=world.rc_staff, action="escalate", reason="多次反映未解决")
    a = reload(appeal)
    assert a.escalation_level == 1 and a.escalated_to == world.env_committee
    # the manual rung counts: the sweeper's next rung waits one more interval after the limit
    assert sweep(T0 + timedelta(hours=2, minutes=1))["appeals.escalate"] == 0
    assert sweep(T0 + timedelta(hours=4, minutes=1))["appeals.escalate"] == 1
    assert reload(appeal).escalated_to == world.party_org


def test_sweep_command_with_now(world, file_appeal, capsys):
    with clock.frozen(T0):
        appeal = file_appeal(urgency="emergency")
    call_command("sweep", now=(T0 + timedelta(minutes=31)).isoformat())
    out = capsys.readouterr().out
    assert "appeals.escalate: 1" in out
    assert reload(appeal).escalated_to == world.env_committee


# ---------------------------------------------------------------- callback (回访)


def resolved(world, file_appeal, at=T0):
    with clock.frozen(at):
        appeal = file_appeal(urgency="normal")
        appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
        appeal_transition(appeal=appeal, actor=world.handler_x, action="resolve", text="已更换电梯门机")
    return reload(appeal)


def test_callback_reminds_once_then_closes_unrated(world, file_appeal):
    appeal = resolved(world, file_appeal)
    assert appeal.callback_due_at == T0 + timedelta(days=7)
    assert sweep(T0 + timedelta(days=2))["appeals.callbacks"] == 0
    assert sweep(T0 + timedelta(days=3, minutes=1))["appeals.callbacks"] == 1
    assert sweep(T0 + timedelta(days=4))["appeals.callbacks"] == 0  # reminded once only
    assert AppealEvent.objects.filter(appeal=appeal, kind="callback_reminded").count() == 1
    assert (
        Notification.objects.filter(recipient=world.resident_a, verb="appeal.callback_reminded").count() == 1
    )
    assert sweep(T0 + timedelta(days=6, hours=23))["appeals.callbacks"] == 0
    assert sweep(T0 + timedelta(days=7, minutes=1))["appeals.callbacks"] == 1
    a = reload(appeal)
    assert a.status == "closed" and a.closed_unrated and a.rating is None and a.solved is None
    assert sweep(T0 + timedelta(days=8))["appeals.callbacks"] == 0


def test_rating_in_time_prevents_the_unrated_close(world, file_appeal):
    appeal = resolved(world, file_appeal)
    with clock.frozen(T0 + timedelta(days=1)):
        appeal_transition(
            appeal=appeal, actor=world.resident_a, action="rate", solved=True, rating="satisfied"
        )
    sweep(T0 + timedelta(days=8))
    a = reload(appeal)
    assert not a.closed_unrated and a.rating == "satisfied"
    assert not AppealEvent.objects.filter(
        appeal=appeal, kind__in=["callback_reminded", "closed_unrated"]
    ).exists()


def test_not_solved_reopens_and_a_new_resolution_gets_a_new_reminder(world, file_appeal):
    appeal = resolved(world, file_appeal)
    sweep(T0 + timedelta(days=3, minutes=1))
    with clock.frozen(T0 + timedelta(days=4)):
        appeal_transition(
            appeal=appeal, actor=world.resident_a, action="rate", solved=False, rating="unsatisfied"
        )
    assert reload(appeal).status == "in_progress"
    with clock.frozen(T0 + timedelta(days=5)):
        appeal_transition(appeal=appeal, actor=world.handler_x, action="resolve", text="再次维修")
    assert sweep(T0 + timedelta(days=8, minutes=1))["appeals.callbacks"] == 1
    assert AppealEvent.objects.filter(appeal=appeal, kind="callback_reminded").count() == 2


@pytest.mark.parametrize("days", [7])
def test_unrated_closure_counts_in_no_satisfaction_figure(world, file_appeal, days):
    from shequ.analytics.rates import party_rates

    appeal = resolved(world, file_appeal)
    sweep(T0 + timedelta(days=days, minutes=1))
    rates = party_rates(party_ids=[world.company_x.pk], month="2026-11")[world.company_x.pk]
    assert rates.rated == 0 and rates.satisfaction_rate is None and rates.resolution_rate is None
    assert reload(appeal).closed_unrated
