"""The weekly trend (issue 13): appeals per ISO week (Monday–Sunday in Asia/Shanghai) by top-level
category, from the day rows — equal to the same count over the raw appeals; the page, the API and the
Excel ledger show the one function's figures, scoped like the rest of the dashboard."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shequ.analytics.filters import Filters, _root_of, category_names
from shequ.analytics.rollups import rollup_refresh
from shequ.analytics.weeks import week_label, weekly_trend
from shequ.appeals.models import Appeal
from shequ.core import clock

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=SH)  # a Saturday
# Monday 00:30 in Shanghai is Sunday 16:30 UTC: it belongs to the new week, not the old one
TIMES = [
    (datetime(2026, 9, 6, 10, 0, tzinfo=SH), "lift"),  # the Sunday before the 12 weeks: left out
    (datetime(2026, 9, 7, 10, 0, tzinfo=SH), "noise"),
    (datetime(2026, 11, 1, 23, 30, tzinfo=SH), "lift"),  # a Sunday night
    (datetime(2026, 11, 2, 0, 30, tzinfo=SH), "lift"),  # the Monday after, just past midnight
    (datetime(2026, 11, 2, 0, 40, tzinfo=SH), "garbage"),
    (datetime(2026, 11, 18, 9, 0, tzinfo=SH), "noise"),
    (datetime(2026, 11, 27, 9, 0, tzinfo=SH), "neighbour-dispute"),
    (datetime(2026, 10, 20, 9, 0, tzinfo=SH), "health"),
]


@pytest.fixture
def weeks_data(world, file_appeal):
    for when, code in TIMES:
        with clock.frozen(when):
            file_appeal(category=code)
    rollup_refresh()


def _raw(street_id: int) -> dict[str, dict[str, int]]:
    """{category label: {ISO week: appeals}} counted from the appeals themselves."""
    roots, names = _root_of(), category_names()
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for created, category_id in Appeal.objects.filter(street_id=street_id).values_list(
        "created_at", "category_id"
    ):
        local = created.astimezone(SH).date()
        out[names[roots[category_id]]][week_label(local - timedelta(days=local.weekday()))] += 1
    return out


def _as_map(periods, series) -> dict[str, dict[str, int]]:
    return {s["label"]: {p: v for p, v in zip(periods, s["values"], strict=True) if v} for s in series}


def test_weekly_trend_equals_the_raw_count(world, weeks_data):
    with clock.frozen(NOW):
        trend = weekly_trend(Filters(street_id=world.street.pk, month="2026-11"))
    assert trend.periods[-1] == "2026-W48" and trend.periods[0] == "2026-W37" and len(trend.periods) == 12
    raw = {
        label: {w: n for w, n in weeks.items() if w in trend.periods}
        for label, weeks in _raw(world.street.pk).items()
    }
    got = _as_map(trend.periods, [s.__dict__ for s in trend.series])
    assert got == {k: v for k, v in raw.items() if v}
    lift = got[category_names()[_root_of()[Appeal.objects.filter(category__code="lift").first().category_id]]]
    assert lift == {"2026-W44": 1, "2026-W45": 1}  # Sunday night and Monday apart; W36 left out
    # a past month: the 12 weeks ending with that month's last week
    with clock.frozen(NOW):
        october = weekly_trend(Filters(street_id=world.street.pk, month="2026-10"))
    assert october.periods[-1] == week_label(datetime(2026, 10, 26).date())
    # the filters apply: no hotline appeals at all
    with clock.frozen(NOW):
        assert (
            weekly_trend(Filters(street_id=world.street.pk, month="2026-11", source="hotline")).series == []
        )


def test_page_api_and_ledger_show_the_weeks_scoped_like_the_dashboard(client, world, weeks_data):
    with clock.frozen(NOW):
        expected = weekly_trend(Filters(street_id=world.street.pk, month="2026-11"))
        for user, level, code in (
            (world.street_leader, "street", 200),
            (world.observer, "street", 200),
            (world.party_secretary, "community", 200),
            (world.party_secretary, "street", 403),
            (world.resident_a, "community", 403),
        ):
            client.force_login(user)
            q = "?month=2026-11"
            page = client.get(reverse(f"analytics:{level}_dashboard") + q)
            api = client.get(f"/api/v1/analytics/{level}" + q)
            export = client.get(reverse(f"analytics:{level}_export") + q + "&table=weekly")
            assert (page.status_code, api.status_code, export.status_code) == (code, code, code), (
                user.real_name
            )
            if code != 200:
                assert api.json()["error"]["message_zh"] and api.json()["error"]["message_en"]
                continue
            body = page.content.decode()
            assert 'id="h-weekly"' in body and "2026-W45" in body and "每周新增诉求（按分类）" in body
            w = api.json()["weekly_trend"]
            assert w["periods"] == expected.periods
            assert _as_map(w["periods"], w["series"]) == _as_map(
                expected.periods, [s.__dict__ for s in expected.series]
            )
            rows = list(
                load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.iter_rows(
                    values_only=True
                )
            )
            assert rows[0][0] == "周" and rows[0][-1] == "合计"
            assert [r[0] for r in rows[1:]] == expected.periods
            assert [r[-1] for r in rows[1:]] == expected.totals
        client.force_login(world.street_leader)
        bad = client.get("/api/v1/analytics/street?month=2026-11&span=2")
        assert bad.status_code == 422 and bad.json()["error"]["message_en"]
        assert (
            client.get(reverse("analytics:street_export") + "?month=2026-13&table=weekly").status_code == 422
        )
