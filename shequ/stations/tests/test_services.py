"""Station rules: a micro-need is an appeal routed to the station and worked through its transitions;
hours only for a need the volunteer took; A's volunteers never see B's needs; contact details only
after taking; the solved-in-station share against a hand count; courses with waitlist; party members."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from shequ.appeals import services as appeal_services
from shequ.appeals.models import Appeal, Category, Status
from shequ.conftest import make_user
from shequ.core.errors import Conflict, Forbidden, Invalid, NotFound
from shequ.directory import parties as dparties
from shequ.directory.models import PartyKind
from shequ.stations import selectors, services
from shequ.stations.models import EnrolmentStatus, Skill

pytestmark = pytest.mark.django_db


def _need(world, reporter=None, place=None, text="邻居装修噪音太大，想请人调解"):
    return appeal_services.appeal_create(
        reporter=reporter or world.resident_a,
        kind="help",
        category=Category.objects.get(code="neighbour-dispute"),
        place=place or world.household_a,
        text=text,
    )


@pytest.fixture
def vol(world):
    return services.volunteer_join(
        user=world.resident_a2, station=world.mutual_aid, skills=[Skill.MEDIATION, Skill.CARE]
    )


def test_a_dispute_reaches_the_station_queue_and_is_worked_through_the_appeal(world, vol):
    need = _need(world)
    assert need.responsible_party_id == world.mutual_aid.pk
    assert list(selectors.needs_for(user=world.resident_a2, station=world.mutual_aid)) == [need]
    services.need_take(appeal=need, user=world.resident_a2)
    need.refresh_from_db()
    assert need.status == Status.ACCEPTED
    assert need.events.filter(kind="accepted", actor=world.resident_a2).exists()
    with pytest.raises(Conflict):
        services.need_take(appeal=need, user=world.resident_a2)
    services.need_resolve(appeal=need, user=world.resident_a2, text="上门调解，双方约定晚八点后不施工")
    appeal_services.appeal_transition(
        appeal=need, actor=world.resident_a, action="rate", solved=True, rating="satisfied"
    )
    need.refresh_from_db()
    assert need.status == Status.CLOSED and need.rating == "satisfied"


def test_hours_only_for_a_need_the_volunteer_took(world, vol):
    other = services.volunteer_join(user=world.resident_a, station=world.mutual_aid, skills=[Skill.REPAIR])
    need = _need(world, reporter=world.resident_b, place=world.household_b)
    with pytest.raises(Forbidden) as exc:
        services.hours_log(appeal=need, user=world.resident_a2, minutes=60)
    assert exc.value.code == "not_your_need"
    services.need_take(appeal=need, user=world.resident_a2)
    with pytest.raises(Forbidden):
        services.hours_log(appeal=need, user=other.user, minutes=60)
    for bad in (0, -5, 24 * 60 + 1):
        with pytest.raises(Invalid):
            services.hours_log(appeal=need, user=world.resident_a2, minutes=bad)
    log = services.hours_log(appeal=need, user=world.resident_a2, minutes=90, note="调解")
    assert list(selectors.hours_ledger(user=world.resident_a2)) == [log]
    assert list(selectors.hours_ledger(user=world.resident_a)) == []


def test_volunteer_of_station_a_cannot_see_station_b_needs(world, vol):
    station_b = dparties.party_create(
        kind=PartyKind.MUTUAL_AID_STATION,
        name="乙站",
        code="t-aid-b",
        home=world.community,
        places=[world.compound_b],
    )
    b_vol = make_user("13700000001", "乙站志愿者")
    dparties.membership_create(user=b_vol, party=world.rc, role="member")  # unrelated membership
    need_a = _need(world)
    with pytest.raises(Forbidden):
        selectors.needs_for(user=world.resident_a2, station=station_b)
    with pytest.raises(Forbidden):
        selectors.needs_for(user=b_vol, station=world.mutual_aid)
    with pytest.raises(NotFound):
        selectors.access_need(user=b_vol, appeal_id=need_a.pk)
    with pytest.raises(Forbidden):
        services.need_take(appeal=need_a, user=b_vol)
    assert selectors.access_need(user=world.resident_a2, appeal_id=need_a.pk) == need_a


def test_contact_masked_until_the_volunteer_takes_the_need(world, vol):
    need = _need(world, reporter=world.resident_b, place=world.household_b)
    before = selectors.need_contact(user=world.resident_a2, appeal=need)
    assert before.masked and before.phone == "138****0002" and before.name == "李*"
    services.need_take(appeal=need, user=world.resident_a2)
    after = selectors.need_contact(user=world.resident_a2, appeal=need)
    assert (after.masked, after.phone, after.name) == (False, "13800000002", "李四")
    station_head = make_user("13700000002", "站长")
    dparties.membership_create(user=station_head, party=world.mutual_aid, role="head")
    assert selectors.need_contact(user=station_head, appeal=need).masked


def test_solved_in_station_share_matches_a_hand_count(world, vol):
    rnd = random.Random(12)
    outcomes = []
    for i in range(24):
        need = _need(world, text=f"邻里纠纷第{i}件")
        fate = rnd.choice(["solved", "escalated", "transferred", "open", "escalated_then_solved", "merged"])
        if fate in ("solved", "escalated_then_solved"):
            services.need_take(appeal=need, user=world.resident_a2)
            if fate == "escalated_then_solved":
                appeal_services.appeal_transition(appeal=need, actor=None, action="escalate", reason="超时")
            services.need_resolve(appeal=need, user=world.resident_a2, text="已调解")
        elif fate == "escalated":
            appeal_services.appeal_transition(appeal=need, actor=None, action="escalate", reason="超时")
        elif fate == "transferred":
            appeal_services.appeal_transition(
                appeal=need, actor=world.rc_staff, action="redispatch", to_party=world.rc.pk
            )
        elif fate == "merged" and outcomes:
            appeal_services.appeal_transition(
                appeal=need, actor=world.rc_staff, action="merge", into=outcomes[0][0].pk
            )
        else:
            fate = "open"
        outcomes.append((need, fate))
    counted = [f for _n, f in outcomes if f != "merged"]
    hand_solved = counted.count("solved")
    hand_up = (
        counted.count("escalated") + counted.count("transferred") + counted.count("escalated_then_solved")
    )
    record = selectors.station_record(station=world.mutual_aid)
    assert (record.received, record.solved_in_station, record.passed_up) == (
        len(counted),
        hand_solved,
        hand_up,
    )
    assert (
        record.share is not None
        and record.share.numerator * len(counted) == hand_solved * record.share.denominator
    )
    # Independently of the selector's Q objects, straight from the appeal rows:
    rows = Appeal.objects.filter(first_party=world.mutual_aid).exclude(status="merged")
    by_hand = sum(
        1
        for a in rows
        if a.status in ("resolved", "closed")
        and a.escalation_level == 0
        and a.responsible_party_id == world.mutual_aid.pk
    )
    assert by_hand == hand_solved


def test_course_enrolment_beyond_capacity_goes_to_the_waitlist(world):
    provider_staff = make_user("13700000003", "街道培训干事")
    dparties.membership_create(user=provider_staff, party=world.street_office, role="staff")
    now = appeal_services.clock.now()
    course = services.course_create(
        actor=provider_staff,
        provider=world.street_office,
        place=world.community,
        title="矛盾调解入门",
        capacity=2,
        sessions=[
            (now + timedelta(days=1), now + timedelta(days=1, hours=2), "第一课"),
            (now + timedelta(days=8), now + timedelta(days=8, hours=2), "第二课"),
        ],
    )
    a, b, c = world.resident_a, world.resident_a2, world.resident_b
    assert services.enrol(course=course, user=a).status == EnrolmentStatus.ENROLLED
    assert services.enrol(course=course, user=b).status == EnrolmentStatus.ENROLLED
    assert services.enrol(course=course, user=c).status == EnrolmentStatus.WAITLISTED
    with pytest.raises(Conflict):
        services.enrol(course=course, user=c)
    assert course.enrolments.filter(status=EnrolmentStatus.ENROLLED).count() == 2
    services.enrol_cancel(course=course, user=b)
    assert course.enrolments.get(user=c).status == EnrolmentStatus.ENROLLED
    with pytest.raises(Invalid):
        services.session_attendance_record(
            session=course.sessions.first(), actor=provider_staff, user_ids=[b.pk]
        )
    with pytest.raises(Forbidden):
        services.session_attendance_record(
            session=course.sessions.first(), actor=world.resident_a, user_ids=[a.pk]
        )
    for s in course.sessions.all():
        services.session_attendance_record(session=s, actor=provider_staff, user_ids=[a.pk])
    services.session_attendance_record(session=course.sessions.first(), actor=provider_staff, user_ids=[c.pk])
    done = selectors.completed_courses(user_ids=[a.pk, c.pk])
    assert [x.pk for x in done[a.pk]] == [course.pk] and c.pk not in done


def test_party_members_recorded_by_the_party_organisation_only(world, vol):
    branch = services.branch_create(
        actor=world.party_secretary, party_org=world.party_org, place=world.compound_a, name="甲小区党支部"
    )
    with pytest.raises(Forbidden):
        services.party_member_record(actor=world.resident_a2, branch=branch, user=world.resident_a2)
    with pytest.raises(Invalid):
        services.party_member_record(
            actor=world.party_secretary, branch=branch, user=world.resident_b
        )  # lives in B
    services.party_member_record(actor=world.party_secretary, branch=branch, user=world.resident_a2)
    assert [m.user for m in selectors.helping_party_members(building_id=world.building_a2.pk)] == [
        world.resident_a2
    ]
    assert selectors.branch_of(place=world.household_a2) == branch
    record = selectors.station_record(station=world.mutual_aid)
    assert (record.volunteers, record.party_member_volunteers) == (1, 1)
    need = _need(world)
    services.need_take(appeal=need, user=world.resident_a2)
    services.hours_log(appeal=need, user=world.resident_a2, minutes=45)
    assert selectors.branch_service_minutes(branch=branch) == 45


def test_only_residents_served_may_volunteer(world):
    with pytest.raises(Forbidden):
        services.volunteer_join(user=world.outsider, station=world.mutual_aid, skills=[Skill.REPAIR])
    with pytest.raises(Invalid):
        services.volunteer_join(user=world.resident_a, station=world.mutual_aid, skills=[])
