"""Exact median and 90th percentile of the resolution time (filing → 办结) per category or party.

Why not from the rollups: the per-day rollup keeps ten duration bands, and a quantile of banded data is
only known to lie inside its band; a finer histogram would still be approximate. The exact figure needs
the durations themselves, so it is read from `AppealFact` (one narrow row per appeal, kept exact by the
watermark refresh) — the appeals resolved in the period, through the indexes `an_fact_street_resolved`
/ `an_fact_comm_resolved` (area, resolved_at).

Definition (nearest rank, the same on every database): with n durations sorted ascending, the q-quantile
is the ⌈q·n⌉-th of them — PostgreSQL's `percentile_disc(q)`. So the median of 1, 2, 3, 4 hours is 2 hours
and the 90th percentile of ten durations is the 9th. PostgreSQL computes it in the database
(`percentile_disc … WITHIN GROUP`); SQLite reads the period's durations ordered and picks the rank."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, time

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    QuerySet,
    Value,
    When,
)

from shequ.analytics.models import AppealFact

QUANTILES = (0.5, 0.9)


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


def resolution_quantiles(
    f, *, group: str, roots: dict[int, int] | None = None
) -> dict[int, tuple[int, float, float]]:
    """{group key: (resolved, median hours, p90 hours)} — exact, nearest rank."""
    qs = resolved_facts(f).annotate(g=_group_expr(group, roots or {}))
    duration = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    out: dict[int, tuple[int, float, float]] = {}
    if connection.vendor == "postgresql":
        rows = (
            qs.values("g")
            .annotate(
                n=Count("created_at"),  # an included column: index-only on PostgreSQL
                p50=PercentileDisc(duration, q=QUANTILES[0]),
                p90=PercentileDisc(duration, q=QUANTILES[1]),
            )
            .order_by()
        )
        for r in rows:
            out[r["g"]] = (r["n"], r["p50"].total_seconds() / 3600, r["p90"].total_seconds() / 3600)
        return out
    per: dict[int, list[float]] = defaultdict(list)
    for g, created, resolved in qs.values_list("g", "created_at", "resolved_at").iterator(chunk_size=5000):
        per[g].append((resolved - created).total_seconds() / 3600)  # type: ignore[operator]  # filtered: not null
    for g, values in per.items():
        values.sort()
        out[g] = (len(values), nearest_rank(values, QUANTILES[0]), nearest_rank(values, QUANTILES[1]))  # type: ignore[assignment]
    return out


Quantiles = dict[int, tuple[int, float, float]]


def resolution_quantiles_by_category_and_party(f, *, roots: dict[int, int]) -> tuple[Quantiles, Quantiles]:
    """Both groupings of the dashboard (top-level category, accountable party) in one read of the facts:
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
