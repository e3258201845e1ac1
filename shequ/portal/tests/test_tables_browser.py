"""The organiser's sign-up table and the whistle table on a 390 px phone in both type sizes (issue #14):
no name wraps one character per line, every target is at least 44 px."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from shequ.activities import services as activities
from shequ.appeals.models import Category
from shequ.appeals.services import appeal_create
from shequ.conftest import needs_chromium, signed_in_context
from shequ.core import clock
from shequ.core.jobs import run_once
from shequ.portal.tests.layout import assert_layout_ok

SHOTS = Path("/tmp/shots/tables")
PHONE = {"width": 390, "height": 844}
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


def _shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_signup_and_whistle_tables_fit_a_phone(live_server, world, browser):
    from shequ.supervision import services as supervision

    start = clock.now() + timedelta(days=2)
    activity = activities.activity_create(
        actor=world.rc_staff,
        organiser=world.rc,
        place=world.building_a1,
        kind="culture",
        title="中秋联欢会",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=5,
        location="红巷生活广场",
    )
    for user in (world.resident_a, world.resident_a2, world.resident_b):
        activities.signup_create(user=user, activity=activity)
    appeal = appeal_create(
        reporter=world.resident_a,
        kind="help",
        category=Category.objects.get(code="lift"),
        place=world.household_a,
        text="1号楼电梯困人",
        urgency="emergency",
    )
    run_once()
    supervision.whistle_blow(
        appeal=appeal,
        actor=world.party_secretary,
        kind="tough",
        departments=[world.dept_housing, world.police],
        reason="电梯困人，需住建委和派出所到场",
    )
    pages = [
        (world.rc_staff, reverse("activities:detail", args=[activity.pk]), "signups", "张小三"),
        (world.party_secretary, reverse("supervision:board", args=[appeal.pk]), "whistle", "区住建委"),
    ]
    for user, url, name, shows in pages:
        for large in (False, True):
            ctx = signed_in_context(browser, live_server, user, PHONE, large=large)
            page = ctx.new_page()
            page.goto(live_server.url + url)
            table = page.locator("table").first
            assert shows in table.inner_text(), name
            assert_layout_ok(page, f"{name}{' large' if large else ''}")
            _shoot(page, f"{name}-390{'-large' if large else ''}")
            ctx.close()
