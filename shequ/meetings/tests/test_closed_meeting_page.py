"""A closed meeting's page (issue #14's leftover): it no longer offers 添加任务 as if the meeting were
still running. Follow-up tasks stay possible (the service allows them on a closed meeting), behind
会后补充任务 with a note saying what they do; a failed follow-up re-opens that section with its error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.meetings import services
from shequ.meetings.models import ActionItem

pytestmark = pytest.mark.django_db


def _items_section(html: str) -> str:
    return html.split('id="items-h"', 1)[1].split("</section>", 1)[0]


def test_a_closed_meeting_offers_follow_up_tasks_only_behind_their_own_label(client, world, meeting):
    services.attendance_take(
        meeting=meeting,
        actor=world.env_director,
        present=[services.AttendeeIn(name="王师傅", party=world.company_x)],
    )
    services.minutes_write(meeting=meeting, actor=world.env_director, minutes="纪要")
    client.force_login(world.env_director)
    url = reverse("meetings:detail", args=[meeting.pk])
    held = _items_section(client.get(url).content.decode())
    assert "添加任务" in held and "会后补充任务" not in held  # while it runs: the plain form

    services.meeting_transition(meeting=meeting, actor=world.env_director, action="close")
    closed = _items_section(client.get(url).content.decode())
    assert "添加任务" not in closed
    assert '<details class="follow-up" id="follow-up">' in closed  # collapsed
    assert "会后补充任务" in closed and "纪要和决定事项不能再改" in closed
    assert closed.index('id="follow-up"') < closed.index('id="item-form"')

    r = client.post(reverse("meetings:action_item", args=[meeting.pk]), {"description": "补一项"})
    page = _items_section(r.content.decode())
    assert '<details class="follow-up" id="follow-up" open>' in page and "责任单位" in page
    assert not ActionItem.objects.exists()


def test_follow_ups_are_not_offered_to_those_who_do_not_run_the_meeting(client, world, meeting):
    client.force_login(world.handler_x)
    html = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "会后补充任务" not in html and 'id="item-form"' not in html
