"""Real Chromium: staff posts a notice for building A1; a resident of that building reads it (count goes up).

Screenshots of the channel pages at phone and desktop widths go to /tmp/shots/channels/.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from shequ.conftest import needs_chromium
from shequ.core import clock

SHOTS = Path("/tmp/shots/channels")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    needs_chromium,
]


SHOTS.mkdir(parents=True, exist_ok=True)


def login(browser, base, user, viewport=PHONE):
    ctx = browser.new_context(viewport=viewport, locale="zh-CN")
    page = ctx.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.phone)
    page.fill("input[name=password]", "shequ-test-pass")
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{base}/")
    return page


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_staff_posts_notice_and_resident_reads_it(live_server, world, browser):
    base = live_server.url
    staff = login(browser, base, world.rc_staff, DESKTOP)
    staff.goto(f"{base}/notices/new/")
    staff.select_option("select[name=right]", f"{world.rc.pk}:community")
    staff.wait_for_load_state("networkidle")  # htmx reloads the place list for the chosen right
    staff.select_option("select[name=place]", str(world.building_a1.pk))
    staff.fill("input[name=title]", "1号楼明日停水通知")
    staff.fill("textarea[name=body]", "因管道检修，1号楼明天上午9:00至12:00停水，请提前储水。")
    shot(staff, "notice-create-desktop")
    staff.click("button[type=submit]:has-text('发布')")
    staff.wait_for_selector("h1:has-text('1号楼明日停水通知')")
    assert staff.inner_text("#read-count") == "0"
    notice_url = staff.url

    resident = login(browser, base, world.resident_a, PHONE)
    resident.goto(f"{base}/notices/")
    shot(resident, "notice-feed-phone")
    resident.click("#notice-list a:has-text('1号楼明日停水通知')")
    resident.wait_for_selector("#read-count")
    assert resident.inner_text("#read-count") == "1"
    shot(resident, "notice-detail-phone")

    staff.goto(notice_url)
    assert staff.inner_text("#read-count") == "1"
    shot(staff, "notice-detail-desktop")

    # a neighbour in building 2 does not see it in their feed
    other = login(browser, base, world.resident_a2, PHONE)
    other.goto(f"{base}/notices/")
    assert "1号楼明日停水通知" not in other.inner_text("main")


@pytest.mark.screenshots
def test_channel_pages_screenshots(live_server, world, browser):
    from shequ.activities import services as acts
    from shequ.forum import services as forum

    board = forum.board_ensure(place=world.compound_a)
    t = forum.topic_create(
        author=world.resident_a2,
        board=board,
        title="谁家的猫丢了？",
        body="在2号楼下看到一只橘猫，失主请联系13812345678。",
    )
    forum.reply_create(author=world.resident_a, topic=t, body="好像是3单元王阿姨家的。")
    start = clock.now() + timedelta(days=2)
    act = acts.activity_create(
        actor=world.rc_staff,
        organiser=world.rc,
        place=world.community,
        kind="culture",
        title="重阳节敬老联欢会",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=30,
        location="红巷生活广场",
        description="欢迎老人们参加。",
    )
    venue = acts.venue_create(
        actor=world.rc_staff, owner=world.rc, place=world.community, name="红巷生活广场", capacity=200
    )
    acts.slots_create(
        actor=world.rc_staff, venue=venue, day=start.date(), hours=[(9, 11), (14, 16), (19, 21)]
    )
    base = live_server.url
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = login(browser, base, world.resident_a, viewport)
        for name, path in (
            ("property", "/notices/property/"),
            ("doctor", "/notices/doctor/"),
            ("police", "/notices/police/"),
            ("forum-topic", f"/forum/topic/{t.pk}/"),
            ("activities", "/activities/"),
            ("activity", f"/activities/{act.pk}/"),
            ("venue", f"/activities/venues/{venue.pk}/"),
        ):
            page.goto(base + path)
            assert page.locator("h1").count() >= 1, path
            shot(page, f"{name}-{label}")
        page.goto(f"{base}/forum/topic/{t.pk}/")
        body = page.inner_text("main")
        assert "138****5678" in body and "13812345678" not in body
        if label == "phone":  # large-type mode (大字模式) on a phone
            page.click("button[title='大字模式']")
            page.wait_for_selector("html.large")
            for name, path in (
                ("forum-topic", f"/forum/topic/{t.pk}/"),
                ("activity", f"/activities/{act.pk}/"),
                ("notices", "/notices/"),
            ):
                page.goto(base + path)
                shot(page, f"{name}-phone-large")
        page.context.close()
