"""Median and 90th percentile of the resolution time (filing → 办结) per category or party, read from the
month rows' banded histograms (`MonthlyBands`): a sum over bands, no scan of the appeals or facts.

Definition (nearest rank, the same on every database): with n durations sorted ascending, the q-quantile
is the ⌈q·n⌉-th of them (PostgreSQL's `percentile_disc(q)`), so the median of 1, 2, 3, 4 hours is 2 hours
and the 90th percentile of ten durations is the 9th.

The bands (`models.BAND_EDGES`): band 0 is under a minute; band k ≥ 1 holds the whole seconds from
⌈60 · 1.04^(k-1)⌉ to ⌈60 · 1.04^k⌉ - 1, so each band is 4 % wider than the one before and its largest value
is less than 1.04 × its smallest. Counting the bands finds the band of the ⌈q·n⌉-th duration exactly; the
figure given is that band's geometric middle √(lo · hi). **Error bound**: the banded figure is within
√1.04 - 1 < 2 % of the exact nearest-rank percentile (relative, either way); under a minute it is 30 s
(within 30 s); beyond ten years (the open last band) it is the band's lower edge. `tests/test_percentiles.py`
checks the bound against the exact figure on random data.

`exact_quantiles_by_category_and_party` keeps the exact figure from the facts (`AppealFact`, indexes
`an_fact_street_resolved` / `an_fact_comm_resolved`): the reference the tests and the benchmark compare
with, not read by the pages."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, time

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    DurationField,
    F,
    IntegerField,
    QuerySet,
    Value,
    When,
)

from shequ.analytics.filters import _filtered
from shequ.analytics.models import BAND_EDGES, AppealFact, MonthlyBands

QUANTILES = (0.5, 0.9)
BAND_ERROR = math.sqrt(1.04) - 1  # the stated relative error bound of a banded percentile (≈ 1.98 %)
Quantiles = dict[int, tuple[int, float, float]]


def band_value(band: int) -> float:
    """The seconds a band stands for: √(lo · hi) of its smallest and largest whole second."""
    if band <= 0:
        return 30.0
    if band >= len(BAND_EDGES):
        return float(BAND_EDGES[-1])
    return math.sqrt(BAND_EDGES[band - 1] * (BAND_EDGES[band] - 1))


def banded_quantile(counts: dict[int, int], q: float) -> float | None:
    """Seconds of the q-quantile (nearest rank) of a banded histogram {band: count}; None when empty."""
    total = sum(counts.values())
    if not total:
        return None
    rank, seen = max(1, math.ceil(q * total)), 0
    for band in sorted(counts):
        seen += counts[band]
        if seen >= rank:
            return band_value(band)
    return band_value(max(counts))  # not reached: the counts add up to total


def _quantiles(per: dict[int, dict[int, int]]) -> Quantiles:
    out: Quantiles = {}
    for key, counts in per.items():
        n = sum(counts.values())
        if n:
            p50, p90 = (banded_quantile(counts, q) for q in QUANTILES)
            out[key] = (n, p50 / 3600, p90 / 3600)  # type: ignore[operator]  # n > 0: not None
    return out


def resolution_quantiles_by_category_and_party(f, *, roots: dict[int, int]) -> tuple[Quantiles, Quantiles]:
    """{top-level category: (resolved, median h, p90 h)} and the same per accountable party, for the appeals
    resolved in the period `f` (a dashboards.Filters) with its filters: one read of the period's month
    histograms, summed per group (in the database on PostgreSQL, in Python on SQLite; within BAND_ERROR
    of exact)."""
    by_category: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_party: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    s, e = f.days
    found = _filtered(MonthlyBands.objects.filter(month__gte=s, month__lt=e), f)
    rows = found.values_list("category_id", "party_id", "bands")
    if connection.vendor == "postgresql":
        # the bands summed in the database: (category, band) and (party, band), a few thousand rows back
        inner, params = rows.query.sql_with_params()
        sql = (
            "SELECT GROUPING(category_id), CASE WHEN GROUPING(category_id) = 0 THEN category_id"  # noqa: S608
            " ELSE party_id END, b.key::int, SUM(b.value::int)"
            f" FROM ({inner}) t, jsonb_each_text(t.bands) b"
            " GROUP BY GROUPING SETS ((category_id, b.key), (party_id, b.key))"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for by_party_set, key, band, n in cursor.fetchall():
                if by_party_set:
                    by_party[key][band] += n
                else:
                    by_category[roots.get(key, key)][band] += n
        return _quantiles(by_category), _quantiles(by_party)
    for category_id, party_id, bands in rows.iterator(chunk_size=5000):
        cat, party = by_category[roots.get(category_id, category_id)], by_party[party_id]
        for band, n in bands.items():
            b = int(band)
            cat[b] += n
            party[b] += n
    return _quantiles(by_category), _quantiles(by_party)


# ---------------------------------------------------------------- the exact reference (tests, benchmark)


class PercentileDisc(Aggregate):
    """PostgreSQL: percentile_disc(q) WITHIN GROUP (ORDER BY expr)."""

    function = "percentile_disc"
    template = "%(function)s(%(q)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, *, q: float, **extra):
        super().__init__(expression, q=float(q), **extra)


def nearest_rank(sorted_values: list[float], q: float) -> float | None:
    """The ⌈q·n⌉-th smallest value (1-based); None for no values."""
    if not sorted_values:
        return None
    return sorted_values[max(1, math.ceil(q * len(sorted_values))) - 1]


def resolved_facts(f) -> QuerySet[AppealFact]:
    """Facts of the appeals resolved in the period `f` (a dashboards.Filters), with its filters."""
    from shequ.analytics.dashboards import _category_ids, _tz  # noqa: PLC0415 — dashboards imports us

    s, e = f.days
    qs = AppealFact.objects.filter(
        resolved_at__gte=datetime.combine(s, time(), tzinfo=_tz()),
        resolved_at__lt=datetime.combine(e, time(), tzinfo=_tz()),
    )
    if f.community_id:
        qs = qs.filter(community_id=f.community_id)
    elif f.street_id:
        qs = qs.filter(street_id=f.street_id)
    for name in ("compound_id", "party_id"):
        if getattr(f, name):
            qs = qs.filter(**{name: getattr(f, name)})
    if f.category_id:
        qs = qs.filter(category_id__in=_category_ids(f.category_id))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.source:
        qs = qs.filter(source=f.source)
    return qs


def _group_expr(group: str, roots: dict[int, int]):
    """The grouping column; for categories, the top-level category (a CASE over the few roots)."""
    if group != "category_id" or not roots:
        return F(group)
    by_root: dict[int, list[int]] = defaultdict(list)
    for cid, root in roots.items():
        if cid != root:
            by_root[root].append(cid)
    whens = [When(category_id__in=ids, then=Value(root)) for root, ids in by_root.items()]
    return Case(*whens, default=F("category_id"), output_field=IntegerField()) if whens else F(group)


def exact_quantiles_by_category_and_party(f, *, roots: dict[int, int]) -> tuple[Quantiles, Quantiles]:
    """The exact figures (the reference of the banded ones). Both groupings of the dashboard (top-level category, accountable party) in one read of the facts:
    `GROUPING SETS` and one sort per group (`percentile_disc(ARRAY[…])`) on PostgreSQL, one pass on SQLite."""
    qs = resolved_facts(f).annotate(g=_group_expr("category_id", roots))
    by_category: Quantiles = {}
    by_party: Quantiles = {}
    if connection.vendor == "postgresql":
        inner, params = qs.values_list("g", "party_id", "created_at", "resolved_at").query.sql_with_params()
        qs_list = ", ".join(str(q) for q in QUANTILES)
        sql = (
            "SELECT GROUPING(g), CASE WHEN GROUPING(g) = 0 THEN g ELSE party_id END, COUNT(*),"  # noqa: S608
            f" percentile_disc(ARRAY[{qs_list}]) WITHIN GROUP (ORDER BY resolved_at - created_at)"
            f" FROM ({inner}) t GROUP BY GROUPING SETS ((g), (party_id))"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for by_party_set, key, n, (p50, p90) in cursor.fetchall():
                target = by_party if by_party_set else by_category
                target[key] = (n, p50.total_seconds() / 3600, p90.total_seconds() / 3600)
        return by_category, by_party
    per_category: dict[int, list[float]] = defaultdict(list)
    per_party: dict[int, list[float]] = defaultdict(list)
    rows = qs.values_list("g", "party_id", "created_at", "resolved_at").iterator(chunk_size=5000)
    for g, party_id, created, resolved in rows:
        hours = (resolved - created).total_seconds() / 3600  # type: ignore[operator]  # filtered: not null
        per_category[g].append(hours)
        per_party[party_id].append(hours)
    for per, target in ((per_category, by_category), (per_party, by_party)):
        for key, values in per.items():
            values.sort()
            target[key] = (
                len(values),
                nearest_rank(values, QUANTILES[0]),
                nearest_rank(values, QUANTILES[1]),
            )  # type: ignore[assignment]
    return by_category, by_party
