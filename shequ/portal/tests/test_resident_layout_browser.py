"""The resident's pages on a 390 px phone in both type sizes (issue #14, items 4 and 5): the home, the
three report steps (the kind choices of step 3 used to wrap one character per line in large type), the
appeal page with its back link (22 px high before), 谁在管我家, my appeals and the public list. On every
page: no text wraps one character per line, every target is at least 44 px, nothing scrolls sideways,
and the header names the community in full (it used to truncate to "希…"). Screenshots go to
/tmp/shots/resident/ with SHEQU_SCREENSHOTS=1."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from shequ.appeals.models import Category
from shequ.appeals.services import appeal_create
from shequ.conftest import needs_chromium, signed_in_context
from shequ.portal.tests.layout import assert_layout_ok, full_page_shot

SHOTS = Path("/tmp/shots/resident")
PHONE = {"width": 390, "height": 844}
LONG_NAME = "中关村希格玛社区"  # longer than any demo community: the brand must still show all of it

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]

# The brand is shown whole: nothing clipped, no ellipsis.
BRAND_JS = """() => { const s = document.querySelector('.brand span');
  return {text: s.innerText, clipped: s.scrollWidth > s.clientWidth + 1 || s.scrollHeight > s.clientHeight + 1,
          ellipsis: getComputedStyle(s).textOverflow === 'ellipsis' && s.scrollWidth > s.clientWidth}; }"""
SIDEWAYS_JS = "document.documentElement.scrollWidth - window.innerWidth"


def _check(page, where: str, *, brand: str | None = None) -> None:
    assert_layout_ok(page, where)
    sideways = page.evaluate(SIDEWAYS_JS)
    assert sideways <= 1, f"{where}: the page scrolls sideways by {sideways}px"
    if brand is not None:
        shown = page.evaluate(BRAND_JS)
        assert shown["text"].replace("\n", "") == brand and not shown["clipped"], (where, shown)


def test_resident_pages_fit_a_phone_in_both_type_sizes(live_server, world, browser):
    world.community.name = LONG_NAME
    world.community.save(update_fields=["name"])
    appeal = appeal_create(
        reporter=world.resident_a,
        kind="help",
        category=Category.objects.get(code="lift"),
        place=world.household_a,
        text="1号楼电梯异响，晚上特别明显。",
    )
    base = live_server.url
    for large in (False, True):
        size = "390-large" if large else "390"
        ctx = signed_in_context(browser, live_server, world.resident_a, PHONE, large=large)
        page = ctx.new_page()

        page.goto(base + reverse("portal:home"))
        _check(page, f"home {size}", brand=LONG_NAME)
        full_page_shot(page, SHOTS / f"home-{size}.png")

        page.goto(base + reverse("appeals:report"))
        _check(page, f"report step 1 {size}")
        full_page_shot(page, SHOTS / f"report-1-{size}.png")
        page.locator('.cat-btn[data-category="lift"]').click()
        page.wait_for_selector("legend:has-text('在哪里')")
        _check(page, f"report step 2 {size}")
        full_page_shot(page, SHOTS / f"report-2-{size}.png")
        page.get_by_label("一般", exact=True).check()
        page.get_by_role("button", name="下一步").click()
        page.wait_for_selector(".kind-row")
        kinds = page.locator(".kind-row .choice")
        assert kinds.count() >= 2
        for i in range(kinds.count()):  # each kind on one line: as tall as the others, not a column
            box = kinds.nth(i).bounding_box()
            assert box is not None and box["height"] < 80, (size, kinds.nth(i).inner_text(), box)
        _check(page, f"report step 3 {size}")
        full_page_shot(page, SHOTS / f"report-3-{size}.png")

        page.goto(base + reverse("appeals:detail", args=[appeal.pk]))
        back = page.locator("main a:has-text('返回')").first
        box = back.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, (size, box)
        _check(page, f"appeal page {size}")
        full_page_shot(page, SHOTS / f"appeal-{size}.png")

        for name in ("portal:who", "appeals:mine", "appeals:public"):
            page.goto(base + reverse(name))
            _check(page, f"{name} {size}")
            full_page_shot(page, SHOTS / f"{name.split(':')[1]}-{size}.png")
        ctx.close()
