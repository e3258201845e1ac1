"""Content-Security-Policy: sent on every page, and the browser fixture catches any violation."""

import pytest

from shequ.conftest import needs_chromium


@pytest.mark.django_db
def test_pages_send_a_strict_policy(client):
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert (
        "script-src 'self'" in policy and "unsafe-inline' " not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


@needs_chromium
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_browser_fixture_reports_a_violation(live_server, browser):
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").count() >= 1
    assert not browser.violations  # the login page itself satisfies the policy
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1'; document.body.append(s); }"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.x") is None  # blocked
    assert browser.violations, "an inline script must be reported"
    browser.violations.clear()  # seen; do not fail the teardown check
