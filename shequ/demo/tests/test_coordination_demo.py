"""The demo's coordination: the heating meeting (minutes, two decisions, one item done, one overdue and
escalated), the station's 40 % solved in station from its demo appeals, the course, the bike shed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from shequ.demo.services import demo_load

FAST_HASHER = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}


@pytest.fixture
def loaded(db):
    with override_settings(**FAST_HASHER):
        summary = demo_load(reset=True, content=True)
    assert summary.loaded and not summary.content_error
    return summary


def test_coordination_demo(loaded):
    from shequ.directory.models import Party
    from shequ.meetings.models import ActionItemEvent, Meeting
    from shequ.notices.models import Notice
    from shequ.projects.models import Project, Source
    from shequ.projects.selectors import project_account
    from shequ.stations.models import Course
    from shequ.stations.selectors import completed_courses, course_records, station_record

    meeting = Meeting.objects.get(topic__contains="暖气不热")
    assert meeting.status == "closed" and meeting.minutes and meeting.decisions.count() == 2
    assert meeting.agenda.filter(appeal__category__code="heating").exists()
    done, late = meeting.action_items.order_by("due_at")
    assert done.status == "done"
    assert late.status == "open" and late.overdue_at and late.escalation_level == 1
    assert late.escalated_to.code == "demo-sigma-env"
    assert ActionItemEvent.objects.filter(item=late, kind="escalate").count() == 1
    assert Notice.objects.filter(title__contains="协调会结果公示").exists()

    record = station_record(station=Party.objects.get(code="demo-sigma-aid"))
    assert (record.received, record.solved_in_station, record.passed_up) == (5, 2, 2)
    assert (
        record.share_percent == "40%"
        and record.service_minutes == 210
        and record.party_member_volunteers == 1
    )

    course = Course.objects.get()
    assert course.sessions.count() == 2
    assert [r["completed"] for r in course_records(course=course)].count(True) == 2
    assert course.enrolments.filter(status="waitlisted").count() == 1
    assert (
        sum(
            len(v)
            for v in completed_courses(
                user_ids=list(course.enrolments.values_list("user_id", flat=True))
            ).values()
        )
        == 2
    )

    shed = Project.objects.get(title__contains="车棚")
    account = project_account(project=shed)
    assert {x.source for x in account.lines if x.received > 0} == set(Source.values)
    assert account.balance == Decimal("8700.00") and shed.status == "done"
    assert shed.spendings.exclude(receipt="").count() == 4 and shed.milestones.count() == 3
    assert shed.approved_by_party.code == "demo-zgc-office"
