"""Real Chromium on a 390 px phone: every kind of staff lands on their own start page and reaches their
main task in one tap. Screenshots at 390 px (normal and large type) and 1280 px go to /tmp/shots/home/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from shequ.appeals.models import Category
from shequ.appeals.services import appeal_create
from shequ.conftest import make_user, needs_chromium
from shequ.core import clock
from shequ.core.jobs import run_once
from shequ.directory import parties as dparties
from shequ.directory.models import PartyKind, Role
from shequ.portal.tests.layout import assert_layout_ok, full_page_shot

SHOTS = Path("/tmp/shots/home")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


@pytest.fixture
def busy(world):
    """Work for every desk: an overdue lift appeal escalated to the 环物会 with a whistle to the
    housing department, an appeal in company X's queue, one in the residents' committee's dispatch queue."""
    from shequ.supervision import services as supervision

    lift = Category.objects.get(code="lift")
    t0 = clock.now() - timedelta(hours=2)
    with clock.frozen(t0):
        late = appeal_create(
            reporter=world.resident_a,
            kind="help",
            category=lift,
            place=world.household_a,
            text="1号楼电梯困人",
            urgency="emergency",
        )
    appeal_create(
        reporter=world.resident_a, kind="help", category=lift, place=world.household_a, text="电梯异响"
    )
    unrouted = Category.objects.create(code="mystery", name="神秘事项")
    appeal_create(
        reporter=world.resident_b, kind="suggestion", category=unrouted, place=world.household_b, text="建议"
    )
    run_once()
    supervision.whistle_blow(
        appeal=late,
        actor=world.party_secretary,
        kind="tough",
        departments=[world.dept_housing],
        reason="电梯困人，需住建委到场",
    )
    officer = make_user("13900000077", "住建委黎")
    dparties.membership_create(user=officer, party=world.dept_housing, role=Role.STAFF)
    return {"late": late, "officer": officer}


def _login(browser, base, user, *, viewport=PHONE, large=False):
    ctx = browser.new_context(viewport=viewport, locale="zh-CN")
    if large:
        ctx.add_cookies([{"name": "shequ_large", "value": "1", "url": base}])
    page = ctx.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.phone)
    page.fill("input[name=password]", "shequ-test-pass")
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{base}/")
    return ctx, page


def _shoot(page, name):
    full_page_shot(page, SHOTS / f"{name}.png")


def test_every_staff_lands_on_their_start_page_and_reaches_the_main_task(live_server, world, busy, browser):
    base = live_server.url
    workbench = reverse("appeals:workbench")
    # (who, shot name, the block on top, where the main action leads, what that page shows)
    cases = [
        (world.handler_x, "handler", "queue", workbench, "工作台"),
        (world.rc_staff, "dispatcher", "dispatch", workbench, "神秘事项"),
        (world.env_director, "env-committee", "escalations", reverse("supervision:escalated"), "电梯"),
        (world.party_secretary, "party-org", "escalations", reverse("supervision:escalated"), "升级"),
        (busy["officer"], "department", "summonses", reverse("supervision:summonses"), "电梯"),
        (world.street_leader, "street", "street", reverse("analytics:street_dashboard"), "测试街道"),
        (world.observer, "observer", "street", reverse("analytics:street_dashboard"), "测试街道"),
        (world.police_officer, "police", "queue", workbench, "工作台"),
        (world.doctor, "doctor", "queue", workbench, "工作台"),
    ]
    for user, name, block, target, shows in cases:
        for large in (False, True):
            ctx, page = _login(browser, base, user, large=large)
            first = page.locator(".start-block").first
            assert first.get_attribute("id") == f"start-{block}", name
            assert "您还没有反映过问题" not in page.content(), name
            assert page.locator(".tabbar a[aria-current=page]").inner_text().strip() == "首页", name
            assert page.locator(".tabbar a:has-text('工作台')").count() == 1, name
            assert_layout_ok(page, f"{name} start{' large' if large else ''}")
            _shoot(page, f"start-{name}-390{'-large' if large else ''}")
            if not large:
                first.locator("a.start-action").click()  # one tap
                page.wait_for_load_state()
                assert page.url.split("?")[0] == base + target, name
                assert shows in page.inner_text("main"), name
            ctx.close()
        ctx, page = _login(browser, base, user, viewport=DESKTOP)
        # no bottom bar on a desktop: the header carries 工作台 (and the desk's task), as on the phone
        assert page.locator(".tabbar").is_hidden(), name
        assert page.locator(".topnav a[data-tab=workbench]").is_visible(), name
        assert_layout_ok(page, f"{name} start 1280")
        _shoot(page, f"start-{name}-1280")
        ctx.close()


def test_observer_start_page_is_read_only(live_server, world, busy, browser):
    ctx, page = _login(browser, live_server.url, world.observer)
    assert "只读" in page.inner_text(".start-hero")
    assert "查看" in page.inner_text("body") or "看排名" in page.inner_text("body")
    ctx.close()


def test_staff_with_a_household_can_switch(live_server, world, busy, browser):
    dparties.membership_create(user=world.resident_a, party=world.mutual_aid, role=Role.HEAD)
    assert world.mutual_aid.kind == PartyKind.MUTUAL_AID_STATION
    ctx, page = _login(browser, live_server.url, world.resident_a)
    assert page.locator("#start-queue").count() == 1
    page.click("button:has-text('切换到居民首页')")
    page.wait_for_selector("a.report-button")
    assert page.locator(".tabbar a[aria-current=page]").inner_text().strip() == "首页"
    assert_layout_ok(page, "resident home")
    _shoot(page, "switch-resident-390")
    page.click("button:has-text('切换到工作首页')")
    page.wait_for_selector("#start-queue")
    ctx.close()
