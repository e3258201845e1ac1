"""The meeting's start and end and an action item's due time, picked from our Chinese lists: a good post
saves; a bad one shows the form again with the error (Chinese or English) and every pick kept (#14)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from shequ.core import clock
from shequ.core.widgets import post_value
from shequ.meetings import services
from shequ.meetings.models import ActionItem, Meeting
from shequ.meetings.tests.conftest import T0

pytestmark = pytest.mark.django_db


def _selected(body: str, when) -> bool:
    day, at = post_value("x", when).values()
    return f'<option value="{day}" selected>' in body and f'<option value="{at}" selected>' in body


def _meeting_post(world, appeal, starts, ends) -> dict:
    return {
        "convener": world.env_committee.pk,
        "place": world.compound_a.pk,
        "topic": "暖气不热协调会",
        **(post_value("starts_at", starts) if starts else {}),
        **(post_value("ends_at", ends) if ends else {}),
        "location": "社区会议室",
        "invitees": [world.company_x.pk],
        "appeals": [appeal.pk],
    }


@pytest.mark.parametrize(
    ("lang", "before", "incomplete"),
    [
        ("zh-hans", "结束时间必须晚于开始时间。", "开始时间：请选择日期和时间。"),
        ("en", "The end must be after the start.", "Starts: Choose a date and a time."),
    ],
)
def test_meeting_form_keeps_everything_after_an_error(client, world, appeal, lang, before, incomplete):
    client.force_login(world.env_director)
    client.cookies["django_language"] = lang
    url = reverse("meetings:create")
    starts = T0 + timedelta(days=1, hours=5)
    with clock.frozen(T0):
        page = client.get(url + f"?place={world.compound_a.pk}").content.decode()
        assert 'name="starts_at_0"' in page and "datetime-local" not in page
        r = client.post(url, _meeting_post(world, appeal, starts, starts - timedelta(hours=1)))
        body = r.content.decode()
        assert r.status_code == 422 and before in body
        assert _selected(body, starts) and _selected(body, starts - timedelta(hours=1))
        assert 'value="暖气不热协调会"' in body and 'value="社区会议室"' in body
        assert f'name="invitees" value="{world.company_x.pk}" checked' in body
        assert f'name="appeals" value="{appeal.pk}" checked' in body
        post = _meeting_post(world, appeal, None, starts)
        post["starts_at_1"] = "14:00"  # a time but no day
        r = client.post(url, post)
        assert r.status_code == 422 and incomplete in r.content.decode()
        assert not Meeting.objects.exists()
        r = client.post(url, _meeting_post(world, appeal, starts, starts + timedelta(hours=2)))
    meeting = Meeting.objects.get()
    assert (
        r.status_code == 302
        and meeting.starts_at == starts
        and meeting.ends_at == starts + timedelta(hours=2)
    )


@pytest.mark.parametrize(
    ("lang", "missing"),
    [
        ("zh-hans", "每项任务都要有责任单位和完成时限。"),
        ("en", "Every action item needs a responsible party and a due date."),
    ],
)
def test_action_item_form_keeps_what_was_typed_after_an_error(client, world, meeting, lang, missing):
    client.force_login(world.env_director)
    with clock.frozen(T0 + timedelta(days=1)):
        services.meeting_transition(meeting=meeting, actor=world.env_director, action="start")
        client.cookies["django_language"] = lang
        url = reverse("meetings:action_item", args=[meeting.pk])
        r = client.post(url, {"description": "排查1号楼管道", "responsible_party": world.company_x.pk})
        body = r.content.decode()
        assert r.status_code == 422 and missing in body and "排查1号楼管道</textarea>" in body
        assert f'<option value="{world.company_x.pk}" selected>' in body
        due = T0 + timedelta(days=4)
        r = client.post(url, {"description": "排查1号楼管道", **post_value("due_at", due)})  # no party
        body = r.content.decode()
        assert r.status_code == 422 and _selected(body, due) and "排查1号楼管道</textarea>" in body
        r = client.post(
            url,
            {
                "description": "排查1号楼管道",
                "responsible_party": world.company_x.pk,
                **post_value("due_at", due),
            },
        )
    assert r.status_code == 302 and ActionItem.objects.get().due_at == due
