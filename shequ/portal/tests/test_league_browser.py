"""The league table on a 390 px phone in both type sizes and at 1280 px (issue #14, item 2): the
finished-and-rated company ranks above the one with unfinished, unrated work, which shows "样本不足";
the composite column is on screen without scrolling sideways; the rule is stated on the page.
Screenshots go to /tmp/shots/league/ with SHEQU_SCREENSHOTS=1."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from shequ.appeals.models import Category
from shequ.appeals.services import appeal_create, appeal_transition
from shequ.conftest import needs_chromium, signed_in_context
from shequ.core import clock
from shequ.portal.tests.layout import assert_layout_ok, full_page_shot

SHOTS = Path("/tmp/shots/league")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SIZES = (("390", {"width": 390, "height": 844}, False), ("390-large", {"width": 390, "height": 844}, True))
DESKTOP = ("1280", {"width": 1280, "height": 900}, False)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


def _file(world, reporter, place):
    return appeal_create(
        reporter=reporter,
        kind="help",
        category=Category.objects.get(code="lift"),
        place=place,
        text="1号楼电梯困人",
    )


def test_league_ranks_fairly_and_shows_the_composite_on_a_phone(live_server, world, browser):
    with clock.frozen(T0):
        unfinished = _file(world, world.resident_a, world.household_a)
    with clock.frozen(T0 + timedelta(minutes=5)):  # 甲物业: accepted in time, neither resolved nor rated
        appeal_transition(appeal=unfinished, actor=world.handler_x, action="accept")
    for i in range(3):  # 乙物业: three appeals resolved and rated 满意
        with clock.frozen(T0 + timedelta(minutes=i)):
            b = _file(world, world.resident_b, world.household_b)
        with clock.frozen(T0 + timedelta(minutes=10 + i)):
            b = appeal_transition(appeal=b, actor=world.handler_y, action="accept")
            b = appeal_transition(appeal=b, actor=world.handler_y, action="resolve", text="修好了")
            appeal_transition(
                appeal=b, actor=world.resident_b, action="rate", solved=True, rating="satisfied"
            )
    url = live_server.url + reverse("analytics:league") + "?month=2026-11"
    for name, viewport, large in (*SIZES, DESKTOP):
        ctx = signed_in_context(browser, live_server, world.street_leader, viewport, large=large)
        page = ctx.new_page()
        page.goto(url)
        rows = page.locator("table tbody tr")
        assert rows.count() >= 2, name
        names = [rows.nth(i).locator("th").inner_text().strip() for i in range(rows.count())]
        assert names.index("乙物业") < names.index("甲物业"), (name, names)
        few = rows.nth(names.index("甲物业")).locator("td.num").first
        assert "样本不足" in few.inner_text(), name
        assert "没有数据的一项按 0 计" in page.inner_text(".page-head"), name  # the rule, on the page
        # on screen = inside the table's scroll box (it clips what is off to the side) and the viewport
        wrap = page.locator(".table-wrap").first.evaluate(
            "e => { const r = e.getBoundingClientRect(); return r.x + e.clientWidth; }"
        )
        width = min(viewport["width"], wrap)
        head = page.locator("table thead th", has_text="综合").first.bounding_box()
        assert head is not None and head["x"] >= 0 and head["x"] + head["width"] <= width, (name, head, width)
        for i in range(rows.count()):  # every composite cell on screen, without scrolling sideways
            box = rows.nth(i).locator("td.num").first.bounding_box()
            assert box is not None and box["x"] + box["width"] <= width, (name, names[i], box, width)
        sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert sideways <= 1, f"{name}: the page scrolls sideways by {sideways}px"
        assert_layout_ok(page, f"league {name}")
        full_page_shot(page, SHOTS / f"league-{name}.png")
        ctx.close()
