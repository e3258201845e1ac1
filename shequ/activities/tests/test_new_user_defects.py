"""Issue #14 defects on the 社区服务 pages: scopes name their compound, the venue page picks a day."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from shequ.activities import services
from shequ.core import clock
from shequ.directory import parties as dparties
from shequ.directory.models import PartyKind, Role


def test_activity_scope_names_the_compound(world, client):
    start = clock.now() + timedelta(days=2)
    a = services.activity_create(
        actor=world.rc_staff,
        organiser=world.rc,
        place=world.building_a1,
        kind="volunteer",
        title="楼道清扫",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=5,
    )
    client.force_login(world.resident_a)
    page = client.get(reverse("activities:detail", args=[a.pk])).content.decode()
    assert "甲小区 1号楼" in page
    team = dparties.party_create(
        kind=PartyKind.MUTUAL_AID_STATION,
        name="楼门互助队",
        code="t-door",
        home=world.community,
        places=[world.building_a1, world.building_b1],
    )
    dparties.membership_create(user=world.handler_y, party=team, role=Role.STAFF)
    client.force_login(world.handler_y)
    form = client.get(reverse("activities:create")).content.decode()
    # Two buildings are called 1号楼; each choice says which compound it is in.
    assert "甲小区 1号楼" in form and "乙小区 1号楼" in form
    assert not re.search(r">\s*1号楼\s*<", form)


def test_venue_page_shows_one_day_at_a_time_with_a_day_picker(world, client):
    venue = services.venue_create(actor=world.rc_staff, owner=world.rc, place=world.community, name="活动室")
    today = timezone.localdate()
    day1, day2 = today + timedelta(days=1), today + timedelta(days=3)
    for d in (day1, day2):
        services.slots_create(actor=world.rc_staff, venue=venue, day=d, hours=[(9, 11), (14, 16), (19, 21)])
    client.force_login(world.resident_a)
    url = reverse("activities:venue", args=[venue.pk])
    page = client.get(url).content.decode()
    assert page.count('class="day-chip') == 2 and 'aria-current="date"' in page
    assert page.count('id="slot-') == 3  # only the first day's slots
    assert f'href="?day={day2.isoformat()}"' in page
    page2 = client.get(url, {"day": day2.isoformat()}).content.decode()
    assert page2.count('id="slot-') == 3 and f"{day2.month}月{day2.day}日" in page2
    # a day without slots or a malformed day falls back to the first day, never an error
    assert client.get(url, {"day": "2001-13-40"}).status_code == 200
    # the owner opens slots by our own day choices, not the browser's native date picker
    client.force_login(world.rc_staff)
    owner_page = client.get(url).content.decode()
    assert 'type="date"' not in owner_page and 'name="day" value="' in owner_page
