"""Live delivery in real Chromium: a handler's open workbench shows a new appeal within 2 seconds,
without a reload (server-sent events → live.js → htmx refresh). Also screenshots of the supervision
pages at phone (390x844) and desktop (1280x900) widths into /tmp/shots/supervision/."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from shequ.conftest import CHROMIUM, CHROMIUM_ARGS, needs_chromium, signed_in_context

SHOTS = Path(os.environ.get("SHEQU_SHOTS", "/tmp/shots/supervision"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


def _context(browser, live_server, user, viewport):
    return signed_in_context(browser, live_server, user, viewport)


def _shots(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_open_workbench_shows_a_new_appeal_within_two_seconds(live_server, world):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    from shequ.appeals.models import Category
    from shequ.appeals.services import appeal_create

    lift = Category.objects.get(code="lift")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = _context(browser, live_server, world.handler_x, DESKTOP)
            page = ctx.new_page()
            page.goto(live_server.url + reverse("appeals:workbench"))
            page.wait_for_selector("html[data-live=on]")  # the event stream is open
            appeal = appeal_create(
                reporter=world.resident_a,
                kind="help",
                category=lift,
                place=world.household_a,
                text="3号电梯困人，请马上来",
                urgency="emergency",
            )
            started = time.monotonic()
            page.wait_for_selector(f"#workbench-queue :text('{appeal.number}')", timeout=2000)
            elapsed = time.monotonic() - started
            assert elapsed < 2, elapsed
            assert page.locator("#unread-count").inner_text().strip() == "1"
            _shots(page, "workbench-live")
            ctx.close()
        finally:
            browser.close()


@pytest.mark.screenshots
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_supervision_pages_screenshots(live_server, world):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    from shequ.appeals.models import Category
    from shequ.appeals.services import appeal_create, appeal_transition
    from shequ.core import clock
    from shequ.core.jobs import run_once
    from shequ.notifications.services import notify
    from shequ.supervision import services

    lift = Category.objects.get(code="lift")
    t0 = clock.now() - timedelta(hours=2)
    with clock.frozen(t0):
        appeal = appeal_create(
            reporter=world.resident_a,
            kind="help",
            category=lift,
            place=world.household_a,
            text="5号楼电梯频繁停运",
            urgency="emergency",
        )
        other = appeal_create(
            reporter=world.resident_a,
            kind="help",
            category=lift,
            place=world.household_a,
            text="1号楼电梯异响",
            urgency="normal",
        )
        appeal_transition(appeal=other, actor=world.handler_x, action="accept")
        appeal_transition(appeal=other, actor=world.handler_x, action="resolve", text="已检修")
        appeal_transition(
            appeal=other, actor=world.resident_a, action="rate", solved=True, rating="basically"
        )
    run_once()
    with clock.frozen(t0 + timedelta(minutes=5)):
        services.whistle_blow(
            appeal=appeal,
            actor=world.party_secretary,
            kind="emergency",
            departments=[world.dept_housing],
            reason="电梯困人，需住建委到场",
        )
    notify(
        recipients=[world.env_director],
        verb="appeal.escalated",
        title="诉求已升级：测试",
        url="/",
        key="shot",
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = _context(browser, live_server, world.env_director, PHONE)
            page = ctx.new_page()
            page.goto(live_server.url + reverse("supervision:escalated"))
            assert appeal.number in page.content()
            _shots(page, "escalated")
            page.goto(live_server.url + reverse("analytics:party", args=[world.company_x.pk]))
            assert "综合得分" in page.content()
            _shots(page, "party")
            page.goto(live_server.url + reverse("analytics:league"))
            assert "甲物业" in page.content()
            _shots(page, "league")
            page.goto(live_server.url + reverse("notifications:inbox"))
            _shots(page, "inbox")
            page.goto(live_server.url + reverse("notifications:preferences"))
            _shots(page, "preferences")
            page.goto(live_server.url + reverse("supervision:helper", args=[appeal.pk]))
            _shots(page, "helper")
            ctx.close()
            ctx = _context(browser, live_server, world.party_secretary, PHONE)
            page = ctx.new_page()
            page.goto(live_server.url + reverse("supervision:whistle", args=[appeal.pk]))
            _shots(page, "whistle")
            page.goto(live_server.url + reverse("supervision:board", args=[appeal.pk]))
            _shots(page, "board")
            ctx.close()
        finally:
            browser.close()
