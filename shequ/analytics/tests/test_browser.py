"""The street leader's dashboard in real Chromium, on the demo with its year of history: 390 px (normal
and large type) and 1280 px, switching the period, downloading an Excel export. Screenshots go to
/tmp/shots/analytics/."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from shequ.conftest import needs_chromium, signed_in_context

SHOTS = Path(os.environ.get("SHEQU_SHOTS", "/tmp/shots/analytics"))
pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_street_leader_dashboard_phone_and_desktop(live_server, browser, settings):
    from shequ.accounts.models import User
    from shequ.demo.history import demo_history_load
    from shequ.demo.services import demo_load

    settings.SHEQU_DEMO_HISTORY = False
    demo_load(content=False)
    made = demo_history_load()
    assert made["appeals"] > 2000
    leader = User.objects.get(phone="13900000091")  # 中关村街道's leader
    SHOTS.mkdir(parents=True, exist_ok=True)
    url = f"{live_server.url}/analytics/street/"

    for name, viewport, large in (
        ("street-390", {"width": 390, "height": 844}, False),
        ("street-390-large", {"width": 390, "height": 844}, True),
        ("street-1280", {"width": 1280, "height": 900}, False),
    ):
        context = signed_in_context(browser, live_server, leader, viewport, large=large, timeout_ms=20000)
        page = context.new_page()
        page.goto(url)
        assert "中关村街道" in page.locator("h1").inner_text()
        assert page.locator("[data-kpi=created] .value").inner_text() not in ("", "—", "0")
        assert page.locator("#parties tbody tr").count() >= 3
        # nothing wider than the screen but the scrollable tables
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name}: page scrolls sideways by {overflow}px"
        # the chart's axis text is readable: the phone gets its own narrower drawing, so the 12 px (15 px
        # in large type) labels are not scaled down to half on a 390 px screen
        shown = ".chart svg.narrow" if viewport["width"] < 600 else ".chart svg.wide"
        assert page.locator(shown).first.is_visible(), name
        tick = page.locator(f"{shown} text.tick").first.bounding_box()
        assert tick and tick["height"] >= (13 if large else 10), (name, tick)
        # the data table of the chart is one tap away
        page.locator("details.data summary").first.click()
        assert page.locator("details.data table").first.is_visible()
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        if name == "street-390":
            # switch the period: 12 months ending with the same month
            page.select_option("#f-span", "12")
            page.locator(".dash-filters button[type=submit]").click()
            page.wait_for_url("**span=12**")
            assert "近 12 个月" in page.locator(".page-head .sub").inner_text()
            page.screenshot(path=str(SHOTS / "street-390-12m.png"), full_page=True)
            # download the appeals ledger of that period
            with page.expect_download() as info:
                page.locator("a.export").first.click()
            download = info.value
            assert download.suggested_filename.endswith(".xlsx")
            data = Path(download.path()).read_bytes()
            rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
            assert rows[0][0] == "编号" and len(rows) > 100
        _league_picker(page, live_server, name, large)
        context.close()
        _hotline_by_community(browser, live_server, name, viewport, large)


def _hotline_by_community(browser, live_server, name: str, viewport: dict, large: bool) -> None:
    """曙光街道's 17 communities against the 12345 hotline, with each one's monthly orders one tap away."""
    from shequ.accounts.models import User

    leader = User.objects.get(phone="13900000092")  # 曙光街道's leader
    context = signed_in_context(browser, live_server, leader, viewport, large=large, timeout_ms=20000)
    page = context.new_page()
    page.goto(f"{live_server.url}/analytics/street/")
    hotline = page.locator("section[aria-labelledby=h-hotline]")
    rows = hotline.locator("#hotline-communities tbody tr")
    assert rows.count() >= 17
    assert "上河村社区" in hotline.inner_text()
    hotline_orders = [
        int(t) for t in hotline.locator("#hotline-communities tbody tr td:nth-child(2)").all_inner_texts()
    ]
    assert hotline_orders == sorted(hotline_orders, reverse=True)  # the most 12345 orders first
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name}: page scrolls sideways by {overflow}px"
    hotline.locator("details.data summary").nth(1).click()
    assert hotline.locator("#hotline-communities-months").is_visible()
    hotline.screenshot(path=str(SHOTS / f"{name}-hotline.png"))
    context.close()


def _league_picker(page, live_server, name: str, large: bool) -> None:
    """The league table's community picker: the street's communities, one picked narrows the table."""
    page.goto(f"{live_server.url}/analytics/league/")
    picker = page.locator("#community")
    options = picker.locator("option")
    assert options.count() >= 2 and options.first.inner_text() == "全部社区", name
    page.screenshot(path=str(SHOTS / f"league-{name.removeprefix('street-')}.png"), full_page=True)
    before = page.locator("table.table tbody tr").count()
    value = options.nth(1).get_attribute("value")
    picker.select_option(value)
    page.locator(".month-pick button[type=submit]").click()
    page.wait_for_url(f"**community={value}**")
    assert page.locator("#community").input_value() == value
    assert page.locator("table.table tbody tr").count() <= before
    for target in (page.locator("#community"), page.locator(".month-pick button[type=submit]")):
        box = target.bounding_box()
        assert box and box["height"] >= 44, (name, box)
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#community')).fontSize)")
    assert size >= (18 if large else 15), (name, size)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"league {name}: page scrolls sideways by {overflow}px"
    page.screenshot(path=str(SHOTS / f"league-{name.removeprefix('street-')}-community.png"), full_page=True)
