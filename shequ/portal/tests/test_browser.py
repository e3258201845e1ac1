"""Real Chromium: a resident logs in through the form and finds who looks after their home.

Screenshots of every page at phone and desktop widths (and in large-type mode) go to /tmp/shots/accounts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shequ.accounts import services as account_services
from shequ.conftest import needs_chromium
from shequ.directory import parties as dparties
from shequ.directory.models import Role

SHOTS = Path("/tmp/shots/accounts")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    needs_chromium,
]


def login(page, base, phone, password="shequ-test-pass"):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", phone)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{base}/")


def test_resident_logs_in_and_finds_who_looks_after_home(live_server, world, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    login(page, live_server.url, world.resident_a.phone)
    page.click("a.who-summary")
    page.wait_for_url(f"{live_server.url}/who/")
    card = page.locator("#property")
    assert "甲物业" in card.inner_text()
    assert "010-11110000" in card.inner_text()
    assert card.locator("a[href^='tel:']").first.get_attribute("href") == "tel:01011110000"
    assert "乙物业" not in page.content()


def test_register_with_the_chooser(live_server, world, browser):
    """htmx refreshes the dependent selects; the resident logs in and lands on their profile, pending."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/register/")
    page.select_option("select[name=compound]", label="甲小区")
    page.wait_for_selector("select[name=building]")
    page.select_option("select[name=building]", label="1号楼")
    page.wait_for_selector("select[name=household]")
    page.select_option("select[name=household]", label="101")
    page.wait_for_selector("text=已选择")
    page.click("label.choice:has-text('家庭成员')")
    page.fill("input[name=phone]", "13700000001")
    page.fill("input[name=real_name]", "王五")
    page.fill("input[name=password]", "huayuan-2024")
    page.fill("input[name=password2]", "huayuan-2024")
    page.click("button:has-text('提交认证申请')")
    # Registering logs nobody in (the same answer for a phone that already had an account): log in next.
    page.wait_for_url(f"{live_server.url}/accounts/login/?next=/accounts/profile/")
    assert "请用这个手机号和刚才设置的密码登录" in page.inner_text("main")
    page.fill("input[name=username]", "13700000001")
    page.fill("input[name=password]", "huayuan-2024")
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{live_server.url}/accounts/profile/")
    assert "待认证" in page.inner_text("main")


def _shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.screenshots
def test_screenshots(live_server, world, browser):
    dparties.membership_create(
        user=world.handler_x,
        party=world.company_x,
        role=Role.MANAGER,
        title="大管家",
        places=[world.compound_a],
        public_phone="13911112222",
    )
    dparties.membership_create(
        user=world.volunteer,
        party=world.rc,
        role=Role.GRID_WORKER,
        places=[world.community],
        public_phone="13922223333",
    )
    account_services.user_register(
        phone="13700000001",
        real_name="王五",
        password="huayuan-2024",
        household=world.household_a,
        relation="family",
    )
    base = live_server.url
    for label, viewport in (
        ("phone", {"width": 390, "height": 844}),
        ("desktop", {"width": 1280, "height": 900}),
    ):
        for large in (False, True):
            ctx = browser.new_context(viewport=viewport, locale="zh-CN")
            if large:
                ctx.add_cookies([{"name": "shequ_large", "value": "1", "url": base}])
            page = ctx.new_page()
            suffix = f"{label}{'-large' if large else ''}"
            page.goto(f"{base}/accounts/login/")
            _shoot(page, f"login-{suffix}")
            page.goto(
                f"{base}/accounts/register/?compound={world.compound_a.pk}&building={world.building_a1.pk}"
            )
            _shoot(page, f"register-{suffix}")
            login(page, base, world.resident_a.phone)
            _shoot(page, f"home-{suffix}")
            page.goto(f"{base}/who/")
            _shoot(page, f"who-{suffix}")
            page.goto(f"{base}/accounts/profile/")
            _shoot(page, f"profile-{suffix}")
            page.goto(f"{base}/accounts/verify/")
            _shoot(page, f"verify-{suffix}")
            ctx.close()
    assert (SHOTS / "who-phone.png").exists()
