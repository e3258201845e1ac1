"""Median and 90th percentile of the resolution time (nearest rank: the ⌈q·n⌉-th duration), read from the
month rows' 4 % bands: by hand, and within the stated bound (BAND_ERROR, < 2 %) of the exact figure on
random data — pure, and through the services, the refresh and the rebuild."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shequ.analytics import selectors
from shequ.analytics.dashboards import Filters, _root_of, resolution_times
from shequ.analytics.models import BAND_EDGES, MonthlyBands
from shequ.analytics.percentiles import (
    BAND_ERROR,
    QUANTILES,
    band_value,
    banded_quantile,
    exact_quantiles_by_category_and_party,
    nearest_rank,
    resolution_quantiles_by_category_and_party,
)
from shequ.analytics.rollups import resolve_band, rollup_rebuild, rollup_refresh
from shequ.appeals.models import Appeal
from shequ.appeals.services import appeal_transition
from shequ.core import clock

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=SH)
# The street dashboard's reads (`selectors.dashboard`), pinned, the same on SQLite and PostgreSQL: who the
# viewer is and the street (2), the refresh watermark (1), the month rows (1: every table reading them),
# the open / overdue tiles (1), whistles (1), the histograms (1), party names (1), the place counts (1),
# repeat problems' facts (1), place names (1), the street's communities (1), the early warning's days (1).
DASHBOARD_QUERIES = 14  # + the weekly trend's days (1)


def test_nearest_rank_by_hand():
    assert nearest_rank([], 0.5) is None
    assert nearest_rank([7.0], 0.9) == 7.0
    assert nearest_rank([1, 2, 3, 4], 0.5) == 2  # ⌈2⌉ = 2nd, not the interpolated 2.5
    assert nearest_rank([1, 2, 3, 4, 10], 0.5) == 3  # ⌈2.5⌉ = 3rd
    assert nearest_rank(list(range(1, 11)), 0.9) == 9  # ⌈9⌉ = 9th
    assert nearest_rank(list(range(1, 12)), 0.9) == 10  # ⌈9.9⌉ = 10th


def _within(banded: float, exact: float) -> bool:
    """The stated bound: within BAND_ERROR of the exact figure, or within 30 s under a minute."""
    if exact < 60:
        return abs(banded - exact) <= 30
    return abs(banded / exact - 1) <= BAND_ERROR


def test_the_bands_are_four_percent_wide_and_the_bound_is_under_two_percent():
    assert BAND_ERROR < 0.02
    assert BAND_EDGES[0] == 60 and BAND_EDGES[-1] > 3650 * 86400  # past ten years
    for k in range(1, len(BAND_EDGES)):
        lo, hi = BAND_EDGES[k - 1], BAND_EDGES[k] - 1  # band k: whole seconds lo … hi
        assert resolve_band(lo) == resolve_band(hi) == k and resolve_band(hi + 1) == k + 1
        assert hi < 1.04 * lo and _within(band_value(k), lo) and _within(band_value(k), hi)
    assert resolve_band(0) == resolve_band(59) == 0 and band_value(0) == 30


@pytest.mark.parametrize("seed", range(6))
def test_banded_percentile_is_within_the_bound_of_the_exact_on_random_data(seed):
    rng = random.Random(seed)
    for _ in range(200):
        n = rng.choice([1, 2, 3, 5, 10, 37, 100, 1000])
        # log-uniform from a few seconds to a year, plus ties and zeros (a clock skew counts as 0 s)
        values = sorted(
            rng.choice([0, 60, int(math.exp(rng.uniform(0, math.log(365 * 86400))))]) for _ in range(n)
        )
        counts = Counter(resolve_band(v) for v in values)
        for q in (*QUANTILES, 0.25, 0.99):
            exact, banded = nearest_rank(values, q), banded_quantile(counts, q)
            assert banded is not None and exact is not None and _within(banded, exact), (n, q, exact, banded)
    assert banded_quantile({}, 0.5) is None


def _resolved(world, file_appeal, *, category: str, hours: list[float], start: datetime):
    for i, h in enumerate(hours):
        filed = start + timedelta(hours=i)
        with clock.frozen(filed):
            a = file_appeal(category=category, text=f"{category} {i}")
        with clock.frozen(filed + timedelta(minutes=1)):
            a = appeal_transition(appeal=a, actor=world.handler_x, action="accept")
        with clock.frozen(filed + timedelta(hours=h)):
            appeal_transition(appeal=a, actor=world.handler_x, action="resolve", text="好了")


def test_percentiles_per_category_and_party_by_hand(world, file_appeal):
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
    # read from the bands: the band of 3 h and of 30 h, each given within 2 % (3.0114 h, 30.03 h)
    assert lift.resolved == 5 and _within(lift.median_hours * 3600, 3 * 3600)
    assert _within(lift.p90_hours * 3600, 30 * 3600)
    assert (lift.median_hours, lift.p90_hours) == (
        band_value(resolve_band(3 * 3600)) / 3600,
        band_value(resolve_band(30 * 3600)) / 3600,
    )
    by_party = resolution_times(f, by="party")
    assert [(r.label, r.resolved, r.median_hours, r.p90_hours) for r in by_party] == [
        ("甲物业", 5, lift.median_hours, lift.p90_hours)
    ]
    # the exact reference says 3 h and 30 h
    exact_category, exact_party = exact_quantiles_by_category_and_party(f, roots=_root_of())
    assert list(exact_party.values()) == [(5, 3.0, 30.0)]
    december = resolution_times(Filters(street_id=world.street.pk, month="2026-12"), by="party")
    assert [r.resolved for r in december] == [1] and _within(december[0].median_hours * 3600, 1800)
    # Ten more in November, 5..50 hours: 15 durations 1 2 3 4 5 10 15 20 25 30 30 35 40 45 50;
    # median the ⌈7.5⌉ = 8th (20 h), p90 the ⌈13.5⌉ = 14th (45 h).
    _resolved(
        world, file_appeal, category="lift", hours=[5 * k for k in range(1, 11)], start=T0 + timedelta(days=3)
    )
    rollup_refresh()
    values = sorted([4, 1, 30, 2, 3] + [5 * k for k in range(1, 11)])
    lift = next(r for r in resolution_times(f, by="category") if "设施报修" in r.label)
    assert values[7] == 20 and values[13] == 45
    assert lift.resolved == 15 and _within(lift.median_hours, 20) and _within(lift.p90_hours, 45)


@pytest.mark.parametrize("seed", [1, 2])
def test_dashboard_percentiles_from_bands_are_within_the_bound_through_refresh_and_rebuild(
    world, file_appeal, seed
):
    """Random resolution times through the real services: the banded figures (refresh, then rebuild: the
    same bands) are within the bound of the exact ones from the facts, per category and per party."""
    rng = random.Random(seed)
    for i in range(24):
        filed = T0 + timedelta(hours=rng.uniform(0, 20 * 24))
        with clock.frozen(filed):
            a = file_appeal(category=rng.choice(["lift", "heating"]), text=f"随机 {i}")
        with clock.frozen(filed + timedelta(seconds=30)):
            a = appeal_transition(appeal=a, actor=world.handler_x, action="accept")
        with clock.frozen(filed + timedelta(seconds=30 + math.exp(rng.uniform(3, 13)))):
            appeal_transition(appeal=a, actor=world.handler_x, action="resolve", text="好了")
    rollup_refresh()
    incremental = sorted(MonthlyBands.objects.values_list("key", "bands"))
    total = sum(sum(b.values()) for _k, b in incremental)
    assert total == Appeal.objects.exclude(resolved_at=None).count() >= 20
    assert rollup_rebuild() == Appeal.objects.count()
    assert sorted(MonthlyBands.objects.values_list("key", "bands")) == incremental
    for month in ("2026-11", "2026-12"):
        f = Filters(street_id=world.street.pk, month=month)
        banded = resolution_quantiles_by_category_and_party(f, roots=_root_of())
        exact = exact_quantiles_by_category_and_party(f, roots=_root_of())
        for got, want in zip(banded, exact, strict=True):
            assert set(got) == set(want)
            for key, (n, p50, p90) in want.items():
                assert got[key][0] == n
                assert _within(got[key][1] * 3600, p50 * 3600) and _within(got[key][2] * 3600, p90 * 3600)


def test_the_dashboard_reads_no_facts_for_the_percentiles(
    world, file_appeal, django_assert_num_queries, monkeypatch
):
    """The period's times: one read of the month rows, whatever the number of appeals (pinned)."""
    _resolved(world, file_appeal, category="lift", hours=[1, 2, 3], start=T0)
    rollup_refresh()
    f = Filters(street_id=world.street.pk, month="2026-11")
    roots = _root_of()
    with django_assert_num_queries(1) as ctx:
        resolution_quantiles_by_category_and_party(f, roots=roots)
    assert "analytics_monthlybands" in ctx.captured_queries[0]["sql"]
    assert "analytics_appealfact" not in ctx.captured_queries[0]["sql"]
    _resolved(world, file_appeal, category="heating", hours=[4, 5, 6, 7], start=T0 + timedelta(days=2))
    rollup_refresh()
    with django_assert_num_queries(1):
        by_category, _by_party = resolution_quantiles_by_category_and_party(f, roots=roots)
    assert sum(n for n, _p50, _p90 in by_category.values()) == 7
    # the whole dashboard: a fixed number of queries, however many appeals (none of them on the facts'
    # resolved index any more)
    params = {"month": "2026-11"}
    with clock.frozen(datetime(2026, 12, 3, 12, 0, tzinfo=SH)):  # the reads depend on today: pinned for a day
        selectors.dashboard(user=world.street_leader, level="street", area_id=None, params=params)
        with django_assert_num_queries(DASHBOARD_QUERIES) as ctx:
            selectors.dashboard(user=world.street_leader, level="street", area_id=None, params=params)
    assert not any("percentile_disc" in q["sql"] for q in ctx.captured_queries)


def test_the_dashboard_shows_the_times(client, world, file_appeal):
    _resolved(world, file_appeal, category="lift", hours=[1.5, 2.5, 72], start=T0)
    client.force_login(world.street_leader)
    body = client.get("/analytics/street/?month=2026-11").content.decode()
    assert "2.5 小时" in body and "3 天" in body
    api = client.get("/api/v1/analytics/street?month=2026-11").json()
    row = api["times_by_category"][0]
    assert _within(row["median_hours"] * 3600, 2.5 * 3600) and _within(row["p90_hours"] * 3600, 72 * 3600)
