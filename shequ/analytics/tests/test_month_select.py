"""The analytics pages pick a month from a list ("2026年11月", posting YYYY-MM), not the browser's
month picker (#14): the last 24 months, latest first, the page's default month selected, a month asked
for kept selected."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from shequ.core import clock

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _months(body: str, select_id: str) -> tuple[list[str], str]:
    html = re.search(rf'<select id="{select_id}" name="month">(.*?)</select>', body, re.S)
    assert html, f"no month list #{select_id}"
    values = re.findall(r'<option value="(\d{4}-\d{2})"', html.group(1))
    chosen = re.findall(r'<option value="(\d{4}-\d{2})" selected>', html.group(1))
    return values, chosen[0] if chosen else ""


@pytest.mark.parametrize(
    ("user", "url", "select_id", "default"),
    [
        ("resident_b", "analytics:league", "month", "2026-12"),
        ("resident_b", "party", "month", "2026-12"),
        # a dashboard is "as of" the last complete month (its own rule)
        ("street_leader", "analytics:street_dashboard", "f-month", "2026-11"),
        ("party_secretary", "analytics:community_dashboard", "f-month", "2026-11"),
    ],
)
def test_month_is_a_chinese_list_of_the_last_two_years(client, world, user, url, select_id, default):
    client.force_login(getattr(world, user))
    path = reverse("analytics:party", args=[world.company_x.pk]) if url == "party" else reverse(url)
    with clock.frozen(NOW):
        body = client.get(path).content.decode()
        assert 'type="month"' not in body and "2026年12月" in body
        values, chosen = _months(body, select_id)
        assert values[0] == "2026-12" and values[-1] == "2025-01" and len(values) == 24
        assert chosen == default
        sep = "&" if "?" in path else "?"
        values, chosen = _months(client.get(path + sep + "month=2024-06").content.decode(), select_id)
        assert chosen == "2024-06" and values[-1] == "2024-06"  # older than the list: still offered
    client.cookies["django_language"] = "en"
    with clock.frozen(NOW):
        assert ">12/2026<" in client.get(path).content.decode()
