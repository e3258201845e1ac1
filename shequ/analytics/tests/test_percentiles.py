"""Exact median and 90th percentile of the resolution time, by hand (nearest rank: the ⌈q·n⌉-th duration),
the same on SQLite (ordered durations) and PostgreSQL (percentile_disc)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shequ.analytics.dashboards import Filters, resolution_times
from shequ.analytics.percentiles import nearest_rank
from shequ.analytics.rollups import rollup_refresh
from shequ.appeals.services import appeal_transition
from shequ.core import clock

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=SH)


def test_nearest_rank_by_hand():
    assert nearest_rank([], 0.5) is None
    assert nearest_rank([7.0], 0.9) == 7.0
    assert nearest_rank([1, 2, 3, 4], 0.5) == 2  # ⌈2⌉ = 2nd, not the interpolated 2.5
    assert nearest_rank([1, 2, 3, 4, 10], 0.5) == 3  # ⌈2.5⌉ = 3rd
    assert nearest_rank(list(range(1, 11)), 0.9) == 9  # ⌈9⌉ = 9th
    assert nearest_rank(list(range(1, 12)), 0.9) == 10  # ⌈9.9⌉ = 10th


def _resolved(world, file_appeal, *, category: str, hours: list[float], start: datetime):
    for i, h in enumerate(hours):
        filed = start + timedelta(hours=i)
        with clock.frozen(filed):
            a = file_appeal(category=category, text=f"{category} {i}")
        with clock.frozen(filed + timedelta(minutes=1)):
            a = appeal_transition(appeal=a, actor=world.handler_x, action="accept")
        with clock.frozen(filed + timedelta(hours=h)):
            appeal_transition(appeal=a, actor=world.handler_x, action="resolve", text="好了")


def test_exact_percentiles_per_category_and_party_by_hand(world, file_appeal):
    # 电梯: 1, 2, 3, 4, 30 hours → median the 3rd (3 h), p90 the 5th (30 h). Bands would say ≤8 h / ≤2 days.
    _resolved(world, file_appeal, category="lift", hours=[4, 1, 30, 2, 3], start=T0)
    # One more resolved next month: not in November's figures.
    _resolved(
        world, file_appeal, category="lift", hours=[0.5], start=datetime(2026, 11, 30, 23, 45, tzinfo=SH)
    )
    rollup_refresh()
    f = Filters(street_id=world.street.pk, month="2026-11")
    by_category = {r.label: r for r in resolution_times(f, by="category")}
    lift = next(r for label, r in by_category.items() if "设施报修" in label)
    assert (lift.resolved, lift.median_hours, lift.p90_hours) == (5, 3.0, 30.0)
    by_party = resolution_times(f, by="party")
    assert [(r.label, r.resolved, r.median_hours, r.p90_hours) for r in by_party] == [
        ("甲物业", 5, 3.0, 30.0)
    ]
    december = resolution_times(Filters(street_id=world.street.pk, month="2026-12"), by="party")
    assert [(r.resolved, r.median_hours) for r in december] == [(1, 0.5)]
    # Ten more in November, 5..50 hours: 15 durations 1 2 3 4 5 10 15 20 25 30 30 35 40 45 50;
    # median the ⌈7.5⌉ = 8th (20 h), p90 the ⌈13.5⌉ = 14th (45 h).
    _resolved(
        world, file_appeal, category="lift", hours=[5 * k for k in range(1, 11)], start=T0 + timedelta(days=3)
    )
    rollup_refresh()
    values = sorted([4, 1, 30, 2, 3] + [5 * k for k in range(1, 11)])
    lift = next(r for r in resolution_times(f, by="category") if "设施报修" in r.label)
    assert lift.resolved == 15 and lift.median_hours == values[7] == 20 and lift.p90_hours == values[13] == 45


def test_the_dashboard_shows_exact_times(client, world, file_appeal):
    _resolved(world, file_appeal, category="lift", hours=[1.5, 2.5, 72], start=T0)
    client.force_login(world.street_leader)
    body = client.get("/analytics/street/?month=2026-11").content.decode()
    assert "2.5 小时" in body and "3 天" in body
    api = client.get("/api/v1/analytics/street?month=2026-11").json()
    assert (
        api["times_by_category"][0]["median_hours"] == 2.5 and api["times_by_category"][0]["p90_hours"] == 72
    )
