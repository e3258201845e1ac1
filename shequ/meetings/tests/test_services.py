"""Meeting rules: close needs minutes, action items need a party and a due date, the sweep escalates
an overdue item up the appeals ladder exactly once, venue booking, invitations, the public summary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shequ.activities import services as activity_services
from shequ.activities.models import Booking
from shequ.core import clock, jobs
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.meetings import action_items, selectors, services
from shequ.meetings.models import ActionItem, ActionItemEvent, Answer, MeetingStatus
from shequ.meetings.tests.conftest import T0
from shequ.notices.models import Notice
from shequ.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _hold(world, meeting):
    services.attendance_take(
        meeting=meeting,
        actor=world.env_director,
        present=[
            services.AttendeeIn(name="周主任", party=world.env_committee),
            services.AttendeeIn(name="王师傅", party=world.company_x),
            services.AttendeeIn(name="业主老李", for_label="1号楼业主代表"),
        ],
    )


def test_invitees_are_notified_and_answer(world, meeting):
    assert Notification.objects.filter(recipient=world.handler_x, verb="meeting.invited").exists()
    inv = meeting.invitations.get(party=world.company_x)
    with pytest.raises(Forbidden):
        services.invitation_answer(invitation=inv, actor=world.handler_y, answer=Answer.ATTEND)
    with pytest.raises(Invalid):
        services.invitation_answer(invitation=inv, actor=world.handler_x, answer=Answer.DELEGATE)
    services.invitation_answer(
        invitation=inv, actor=world.handler_x, answer=Answer.DELEGATE, delegate_name="刘经理"
    )
    inv.refresh_from_db()
    assert (inv.answer, inv.delegate_name) == ("delegate", "刘经理")


def test_only_officers_of_a_convening_party_convene(world, appeal):
    for outsider in (world.handler_x, world.resident_a, world.volunteer):
        with pytest.raises(Forbidden):
            services.meeting_create(
                actor=outsider,
                convener=world.env_committee,
                place=world.compound_a,
                topic="x",
                starts_at=T0,
                ends_at=T0 + timedelta(hours=1),
            )


def test_meeting_refuses_to_close_without_minutes(world, meeting):
    _hold(world, meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    with pytest.raises(Conflict) as exc:
        services.meeting_transition(meeting=meeting, actor=world.env_director, action="close")
    assert exc.value.code == "minutes_required"
    assert "纪要" in exc.value.message_zh and "minutes" in exc.value.message_en
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.closed_at is None
    assert not Notice.objects.exists()
    services.minutes_write(meeting=meeting, actor=world.env_director, minutes="物业承诺三天内排查管道。")
    services.meeting_transition(meeting=meeting, actor=world.env_director, action="close")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED
    notice = Notice.objects.get(pk=meeting.summary_notice_id)
    assert (
        notice.place_id == world.compound_a.pk and "甲物业" in notice.body and "1号楼业主代表" in notice.body
    )


def test_action_item_needs_party_and_due_date(world, meeting):
    _hold(world, meeting)
    for party, due in ((None, T0 + timedelta(days=3)), (world.company_x, None), (None, None)):
        with pytest.raises(Invalid) as exc:
            services.action_item_create(
                meeting=meeting,
                actor=world.env_director,
                description="排查管道",
                responsible_party=party,
                due_at=due,
            )
        assert exc.value.code == "action_item_incomplete"
    assert not ActionItem.objects.exists()


def test_overdue_action_item_escalates_through_the_sweeper_exactly_once(world, meeting):
    _hold(world, meeting)
    with clock.frozen(T0):
        item = services.action_item_create(
            meeting=meeting,
            actor=world.env_director,
            description="三天内排查1号楼供暖管道",
            responsible_party=world.company_x,
            due_at=T0 + timedelta(days=3),
        )
    # Nothing is due yet. (Each run under its own frozen clock: the jobs a run enqueues are due at
    # clock.now(), so a real clock would make this test depend on today's date.)
    with clock.frozen(T0 + timedelta(days=1)):
        jobs.run_once(now=T0 + timedelta(days=1))
    assert ActionItemEvent.objects.filter(item=item).exclude(kind="created").count() == 0
    # A day before: one reminder to the property company.
    for hours in (1, 2):
        with clock.frozen(T0 + timedelta(days=2, hours=hours)):
            jobs.run_once(now=T0 + timedelta(days=2, hours=hours))
    assert ActionItemEvent.objects.filter(item=item, kind="remind").count() == 1
    assert Notification.objects.filter(recipient=world.handler_x, verb="meeting.item_remind").count() == 1
    # Past due: marked overdue and escalated one rung — property company → 环物会 (the appeals ladder).
    late = T0 + timedelta(days=3, minutes=5)
    with clock.frozen(late):
        jobs.run_once(now=late)
        jobs.run_once(now=late)
        jobs.run_once(now=late + timedelta(hours=1))
    item.refresh_from_db()
    assert ActionItemEvent.objects.filter(item=item, kind="escalate").count() == 1
    assert ActionItemEvent.objects.filter(item=item, kind="overdue").count() == 1
    assert (item.escalation_level, item.escalated_to_id) == (1, world.env_committee.pk)
    assert action_items.is_overdue(item=item, now=late)
    assert (
        Notification.objects.filter(recipient=world.env_director, verb="meeting.item_escalate").count() == 1
    )
    # The next rung only after the interval.
    later = late + action_items.ESCALATE_EVERY + timedelta(minutes=1)
    with clock.frozen(later):
        jobs.run_once(now=later)
    item.refresh_from_db()
    assert (item.escalation_level, item.escalated_to_id) == (2, world.party_org.pk)
    # Done: the sweep leaves it alone.
    with clock.frozen(later):
        action_items.action_item_transition(
            item=item, actor=world.handler_x, action="complete", text="已更换阀门"
        )
    jobs.run_once(now=later + timedelta(days=30))
    assert ActionItemEvent.objects.filter(item=item, kind="escalate").count() == 2


def test_complete_only_by_the_responsible_party(world, meeting):
    _hold(world, meeting)
    item = services.action_item_create(
        meeting=meeting,
        actor=world.env_director,
        description="排查",
        responsible_party=world.company_x,
        due_at=T0 + timedelta(days=3),
    )
    with pytest.raises(Forbidden):
        action_items.action_item_transition(item=item, actor=world.handler_y, action="complete", text="x")
    with pytest.raises(Invalid):
        action_items.action_item_transition(item=item, actor=world.handler_x, action="complete", text="")
    action_items.action_item_transition(item=item, actor=world.handler_x, action="complete", text="已完成")
    with pytest.raises(Conflict):
        action_items.action_item_transition(item=item, actor=world.handler_x, action="complete", text="again")


def test_venue_booking_through_activities_no_double_booking(world, appeal):
    venue = activity_services.venue_create(
        actor=world.rc_staff, owner=world.rc, place=world.community, name="社区会议室"
    )
    day = (clock.now() + timedelta(days=2)).date()
    [slot] = activity_services.slots_create(actor=world.rc_staff, venue=venue, day=day, hours=[(14, 16)])
    meeting = services.meeting_create(
        actor=world.env_director,
        convener=world.env_committee,
        place=world.compound_a,
        topic="协调会",
        slot=slot,
    )
    assert meeting.booking.slot_id == slot.pk and meeting.starts_at == slot.starts_at
    assert meeting.location == "社区会议室"
    with pytest.raises(Conflict):
        services.meeting_create(
            actor=world.party_secretary,
            convener=world.party_org,
            place=world.compound_a,
            topic="另一个会",
            slot=slot,
        )
    assert Booking.objects.filter(slot=slot).count() == 1
    services.meeting_transition(meeting=meeting, actor=world.env_director, action="cancel")
    assert Booking.objects.get(slot=slot).status == Booking.Status.CANCELLED


def test_appeal_shows_the_meetings_that_discussed_it(world, meeting, appeal):
    assert [m.pk for m in selectors.meetings_for_appeal(appeal_id=appeal.pk)] == [meeting.pk]


def test_visibility(world, meeting):
    assert selectors.meetings_visible_to(user=world.handler_x).filter(pk=meeting.pk).exists()  # invited
    assert (
        selectors.meetings_visible_to(user=world.party_secretary).filter(pk=meeting.pk).exists()
    )  # supervises
    for user in (world.handler_y, world.resident_a, world.outsider):
        assert not selectors.meetings_visible_to(user=user).filter(pk=meeting.pk).exists()
