"""Whistle (吹哨) → report in (报到) → act and report back; and 大手拉小手."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shequ.appeals.models import Appeal, AppealEvent
from shequ.appeals.services import appeal_transition
from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.core.jobs import run_once
from shequ.directory import parties as dparties
from shequ.directory.models import PartyKind, Role
from shequ.notifications.models import Notification
from shequ.supervision import selectors, services
from shequ.supervision.models import Summons

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=SH)


@pytest.fixture
def depts(world):
    from shequ.conftest import make_user

    housing_admin = dparties.party_create(
        kind=PartyKind.DEPARTMENT, name="区房管局", code="t-fgj", home=world.district, places=[world.district]
    )
    zjw_staff = make_user("13700000001", "住建委小王")
    fgj_staff = make_user("13700000002", "房管局小李")
    dparties.membership_create(user=zjw_staff, party=world.dept_housing, role=Role.STAFF)
    dparties.membership_create(user=fgj_staff, party=housing_admin, role=Role.STAFF)
    return {"zjw": world.dept_housing, "fgj": housing_admin, "zjw_staff": zjw_staff, "fgj_staff": fgj_staff}


@pytest.fixture
def appeal(world, file_appeal):
    with clock.frozen(T0):
        return file_appeal(urgency="normal", text="老旧电梯频繁故障，需要加装和改造")


def test_whistle_lifecycle(world, depts, appeal):
    with clock.frozen(T0):
        whistle = services.whistle_blow(
            appeal=appeal,
            actor=world.party_secretary,
            kind="tough",
            departments=[depts["zjw"], depts["fgj"].pk],
            reason="电梯改造需部门协调",
        )
    assert whistle.party == world.party_org and whistle.is_open
    summonses = list(whistle.summonses.order_by("id"))
    assert [s.department for s in summonses] == [depts["zjw"], depts["fgj"]]
    assert all(s.due_at == T0 + timedelta(hours=4) for s in summonses)
    blown = AppealEvent.objects.get(appeal=appeal, kind="whistle_blown")
    assert blown.is_public and blown.data["department_names"] == ["区住建委", "区房管局"]
    assert Notification.objects.filter(recipient=depts["zjw_staff"], verb="appeal.whistle_blown").exists()

    with clock.frozen(T0 + timedelta(minutes=25)):
        services.summons_report_in(summons_id=summonses[0].pk, actor=depts["zjw_staff"], text="已到现场")
    with pytest.raises(Conflict):
        with clock.frozen(T0 + timedelta(minutes=26)):
            services.summons_report_in(summons_id=summonses[0].pk, actor=depts["zjw_staff"])
    with pytest.raises(Forbidden):  # only the summoned department reports for itself
        services.summons_report_in(summons_id=summonses[1].pk, actor=depts["zjw_staff"])
    with clock.frozen(T0 + timedelta(hours=5)):
        services.summons_report_in(summons_id=summonses[1].pk, actor=depts["fgj_staff"])
        services.summons_report_back(
            summons_id=summonses[1].pk, actor=depts["fgj_staff"], text="已协调维修资金"
        )

    board = selectors.whistle_board(appeal=appeal)
    ((w, rows),) = board
    assert [(r.department, r.minutes, r.on_time) for r in rows] == [
        ("区住建委", 25, True),
        ("区房管局", 300, False),
    ]
    assert rows[1].acted == "已协调维修资金"
    kinds = list(AppealEvent.objects.filter(appeal=appeal).values_list("kind", flat=True))
    assert kinds.count("reported_in") == 2 and kinds.count("reported_back") == 1

    # the whistle stays open until the appeal is resolved (事不完，人不撤)
    with clock.frozen(T0 + timedelta(hours=6)):
        run_once(now=clock.now())
    assert selectors.whistle_board(appeal=appeal)[0][0].is_open
    with clock.frozen(T0 + timedelta(hours=7)):
        appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
        appeal_transition(appeal=appeal, actor=world.handler_x, action="resolve", text="电梯已改造")
        run_once(now=clock.now())
    assert not selectors.whistle_board(appeal=appeal)[0][0].is_open


def test_late_departments_are_chased_once(world, depts, appeal):
    with clock.frozen(T0):
        services.whistle_blow(
            appeal=appeal,
            actor=world.rc_staff,
            kind="emergency",
            departments=[depts["zjw"]],
            reason="电梯困人",
        )
    with clock.frozen(T0 + timedelta(minutes=31)):
        assert run_once(now=clock.now())["supervision.whistles"] == 1
    with clock.frozen(T0 + timedelta(minutes=45)):
        assert run_once(now=clock.now())["supervision.whistles"] == 0
    assert (
        Notification.objects.filter(recipient=depts["zjw_staff"], verb="appeal.summons_overdue").count() == 1
    )
    assert Notification.objects.filter(recipient=world.rc_staff, verb="appeal.summons_overdue").count() == 1


def test_routine_whistle_gives_one_working_day(world, depts, appeal):
    friday = datetime(2026, 9, 30, 10, tzinfo=SH)  # eve of 国庆
    with clock.frozen(friday):
        whistle = services.whistle_blow(
            appeal=appeal,
            actor=world.street_leader,
            kind="routine",
            departments=[depts["zjw"]],
            reason="协调",
        )
    assert whistle.summonses.get().due_at == datetime(2026, 10, 8, 10, tzinfo=SH)


@pytest.mark.parametrize("who", ["handler_x", "resident_a", "env_director", "observer", "outsider"])
def test_only_the_community_may_blow(world, depts, appeal, who):
    with pytest.raises(Forbidden):
        services.whistle_blow(
            appeal=appeal, actor=getattr(world, who), kind="routine", departments=[depts["zjw"]], reason="x"
        )


def test_whistle_input_is_checked(world, depts, appeal):
    with pytest.raises(Invalid):
        services.whistle_blow(
            appeal=appeal, actor=world.party_secretary, kind="loud", departments=[depts["zjw"]], reason="x"
        )
    with pytest.raises(Invalid):  # a property company is not a department
        services.whistle_blow(
            appeal=appeal,
            actor=world.party_secretary,
            kind="routine",
            departments=[world.company_y],
            reason="x",
        )
    with pytest.raises(Invalid):
        services.whistle_blow(
            appeal=appeal, actor=world.party_secretary, kind="routine", departments=[], reason="x"
        )
    with pytest.raises(Invalid):
        services.whistle_blow(
            appeal=appeal, actor=world.party_secretary, kind="routine", departments=[depts["zjw"]], reason=" "
        )
    services.whistle_blow(
        appeal=appeal, actor=world.party_secretary, kind="routine", departments=[depts["zjw"]], reason="x"
    )
    with pytest.raises(Conflict):  # already summoned and not finished
        services.whistle_blow(
            appeal=appeal,
            actor=world.party_secretary,
            kind="routine",
            departments=[depts["zjw"]],
            reason="again",
        )
    assert Summons.objects.count() == 1


# ---------------------------------------------------------------- 大手拉小手


def test_helper_company_with_fee_waiver_for_elderly_living_alone(world, appeal):
    world.resident_a.birth_year = 1950
    world.resident_a.lives_alone = True
    world.resident_a.save()
    with clock.frozen(T0):
        updated = appeal_transition(
            action="assign_helper",
            appeal=appeal,
            actor=world.env_director,
            company=world.company_y,
            fee_waived=None,
        )
    a = Appeal.objects.get(pk=appeal.pk)
    assert a.helper_party == world.company_y and a.fee_waived and updated.fee_waived
    assert a.first_party == world.company_x and a.responsible_party == world.company_x
    event = AppealEvent.objects.get(appeal=appeal, kind="helper_assigned")
    assert event.data["fee_waived"] is True and event.party == world.env_committee
    # the helper's staff now see it in their queue and hear about it
    with clock.frozen(T0):
        run_once(now=clock.now())
    assert Notification.objects.filter(recipient=world.handler_y, verb="appeal.helper_assigned").exists()


def test_fee_waiver_needs_60_plus_and_living_alone(world, appeal):
    world.resident_a.birth_year = 1980
    world.resident_a.save()
    with pytest.raises(Invalid):
        appeal_transition(
            action="assign_helper",
            appeal=appeal,
            actor=world.env_director,
            company=world.company_y,
            fee_waived=True,
        )
    appeal_transition(
        action="assign_helper",
        appeal=appeal,
        actor=world.env_director,
        company=world.company_y,
        fee_waived=None,
    )
    assert not Appeal.objects.get(pk=appeal.pk).fee_waived


@pytest.mark.parametrize("who", ["handler_x", "rc_staff", "resident_a", "party_secretary"])
def test_only_the_env_committee_assigns_helpers(world, appeal, who):
    with pytest.raises(Forbidden):
        appeal_transition(
            action="assign_helper", appeal=appeal, actor=getattr(world, who), company=world.company_y
        )


def test_helper_must_be_another_company(world, appeal):
    with pytest.raises(Invalid):
        appeal_transition(
            action="assign_helper", appeal=appeal, actor=world.env_director, company=world.company_x
        )
    with pytest.raises(Invalid):
        appeal_transition(
            action="assign_helper", appeal=appeal, actor=world.env_director, company=world.police
        )
