"""The street-scoped pickers on a 390 px phone in both type sizes (issue #14, item 3): 大手拉小手's helper
companies, the whistle's departments and 物业之窗. The own street's choices come first and are visible;
another street's company is hidden behind "其他街道" until that is tapped, and choosing it takes a
second, deliberate tap (it used to be offered first and one tap assigned it); another street's police
station is never offered. Layout as everywhere: no one-character lines, targets ≥ 44 px, no sideways
scroll. Screenshots go to /tmp/shots/pickers/ with SHEQU_SCREENSHOTS=1."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shequ.appeals.models import Category
from shequ.appeals.services import appeal_create
from shequ.conftest import needs_chromium, signed_in_context
from shequ.directory import parties as dparties
from shequ.directory import places as dplaces
from shequ.directory.models import PartyKind, PlaceKind
from shequ.portal.tests.layout import assert_layout_ok, full_page_shot

SHOTS = Path("/tmp/shots/pickers")
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


def _far(world) -> None:
    """Another street with a company named to sort first and its own police station."""
    street = dplaces.place_create(kind=PlaceKind.STREET, name="曙光街道", parent=world.district)
    community = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="上河村社区", parent=street)
    compound = dplaces.place_create(kind=PlaceKind.COMPOUND, name="上河村", parent=community)
    company = dparties.party_create(
        kind=PartyKind.PROPERTY_COMPANY, name="阿曙光物业", code="t-far", home=community
    )
    dparties.contract_create(company=company, places=[compound], starts_on=date(2020, 1, 1))
    dparties.party_create(
        kind=PartyKind.POLICE_STATION,
        name="阿曙光派出所",
        code="t-far-police",
        home=street,
        places=[community],
    )


def test_pickers_offer_the_own_street_first_and_fit_a_phone(live_server, world, browser):
    _far(world)
    appeal = appeal_create(
        reporter=world.resident_a,
        kind="help",
        category=Category.objects.get(code="lift"),
        place=world.household_a,
        text="1号楼电梯困人",
    )
    base = live_server.url
    pages = [
        (world.env_director, f"/supervision/appeals/{appeal.pk}/helper", "helper", "乙物业"),
        (world.resident_a, "/notices/property/?all=1", "property-window", "甲物业"),
    ]
    for large in (False, True):
        size = "390-large" if large else "390"
        for user, path, name, near in pages:
            ctx = signed_in_context(browser, live_server, user, PHONE, large=large)
            page = ctx.new_page()
            page.goto(base + path)
            main = page.locator("main")
            assert main.get_by_text(near, exact=True).first.is_visible(), (name, size)
            far = main.get_by_text("阿曙光物业", exact=True)
            assert far.count() == 1 and not far.is_visible(), (name, size)  # behind 其他街道
            assert_layout_ok(page, f"{name} {size}")
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
            full_page_shot(page, SHOTS / f"{name}-{size}.png")
            page.locator("details.other-streets > summary").click()
            assert far.is_visible(), (name, size)
            assert_layout_ok(page, f"{name} {size}, 其他街道 open")
            full_page_shot(page, SHOTS / f"{name}-{size}-others.png")
            ctx.close()

        ctx = signed_in_context(browser, live_server, world.party_secretary, PHONE, large=large)
        page = ctx.new_page()
        page.goto(base + f"/supervision/appeals/{appeal.pk}/whistle")
        text = page.inner_text("main")
        assert "测试派出所" in text and "阿曙光派出所" not in text, size
        assert_layout_ok(page, f"whistle {size}")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
        full_page_shot(page, SHOTS / f"whistle-{size}.png")
        ctx.close()
