"""The leaders' dashboards: the KPI tiles, trends, rankings, 每月一题 and the hotline measure of a street's
or a community's page and of /api/v1/analytics/…, read from the month rows in a few grouped queries
(`AreaMonths`: one read serves the tiles, the 12-month trend, the category ranking, 每月一题 and the
hotline measure). "Open" and "overdue" — figures of the present moment — are counted on the facts of the
open appeals (partial index `an_fact_open`) with the one overdue rule of appeals (`overdue_q`).
Hot spots, repeat problems and the early warning live in `places.py`; the filters in `filters.py`.

Community matters (the article's measure): categories under 设施报修, 停车与车棚, 物业服务, 邻里纠纷.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
from typing import Any

from django.db.models import Count, Q, Sum

from shequ.analytics.filters import (  # noqa: F401 — re-exported: the dashboards' public names
    SPANS,
    Filters,
    _appeals,
    _category_ids,
    _facts,
    _root_of,
    _tz,
    category_names,
    month_rows,
    open_facts,
    parse_filters,
    rollup_rows,
)
from shequ.analytics.places import (  # noqa: F401 — re-exported
    REPEAT_DAYS,
    SPIKE_MIN,
    SPIKE_SIGMAS,
    SPIKE_WEEKS,
    HotSpot,
    RepeatProblem,
    Spike,
    hot_spots,
    place_counts,
    repeat_problems,
    spikes,
    week_start,
)
from shequ.analytics.rates import RATE_COUNTS, Rates, month_days, rank_key, recent_months
from shequ.analytics.rollups import rollups_fresh
from shequ.appeals.models import AppealEvent, Category, EventKind, Source
from shequ.appeals.selectors import overdue_q
from shequ.core import clock
from shequ.directory.models import Party, Place

COMMUNITY_MATTER_ROOTS = ("facilities", "parking-sheds", "property-service", "neighbour-dispute")
# The counts the tiles, trends and rankings read (not the duration buckets: the resolution times come from
# the month histograms, `percentiles.py`) — fewer sums to compute and convert per grouped row.
SUMS = {n: Sum(n) for n in ("created", "escalated", "resolved", *RATE_COUNTS)}


def _first(month: str) -> date:
    return month_days(month)[0]


# ---------------------------------------------------------------- KPI tiles


@dataclass
class Totals:
    created: int = 0
    escalated: int = 0
    resolved: int = 0
    rates: Rates = field(default_factory=Rates)

    def add(self, row: Mapping[str, Any]) -> None:
        self.created += row.get("created") or 0
        self.escalated += row.get("escalated") or 0
        self.resolved += row.get("resolved") or 0
        self.rates.add(row)


def _total(rows, months: set[date], *, source: str = "") -> Totals:
    out = Totals()
    for row in rows:
        if row["month"] in months and (not source or row["source"] == source):
            out.add(row)
    return out


def totals(f: Filters) -> Totals:
    return _total(AreaMonths(f).rows, set(AreaMonths.firsts(f.months)), source=f.source)


class AreaMonths:
    """The area's month rows grouped by (month, category, source), every count summed — one query over
    the months the page shows: the period, the previous period and the trend's 12 months. The source
    filter is applied here, not in SQL, because the hotline measure compares the sources."""

    TREND_MONTHS = 12

    def __init__(self, f: Filters, *, trend: int = TREND_MONTHS):
        self.f = f
        self.trend = trend

    @staticmethod
    def firsts(months: list[str]) -> list[date]:
        return [_first(m) for m in months]

    @cached_property
    def trend_months(self) -> list[str]:
        return recent_months(self.trend, upto=self.f.month)

    @cached_property
    def rows(self) -> list[Any]:
        f = self.f
        start = min(_first(self.trend_months[0]), _first(f.previous.months[0]))
        qs = month_rows(f, start=start, end=f.days[1], source=False)
        return list(qs.values("month", "category_id", "source").annotate(**SUMS).order_by())

    def total(self, months: list[str]) -> Totals:
        return _total(self.rows, set(self.firsts(months)), source=self.f.source)

    def by_category(self, months: list[str]) -> dict[int, Totals]:
        """Top-level category → totals over the months (with the source filter)."""
        roots, wanted = _root_of(), set(self.firsts(months))
        acc: dict[int, Totals] = defaultdict(Totals)
        for row in self.rows:
            if row["month"] in wanted and (not self.f.source or row["source"] == self.f.source):
                acc[roots.get(row["category_id"], row["category_id"])].add(row)
        return acc


@dataclass
class Tile:
    key: str
    label: str
    value: float | int | None
    previous: float | int | None
    is_rate: bool = False
    note: str = ""

    @property
    def change(self) -> float | int | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def kpi_tiles(f: Filters, area: AreaMonths | None = None) -> list[Tile]:
    from django.utils.translation import gettext as _  # noqa: PLC0415

    rollups_fresh()
    area = area or AreaMonths(f)
    now_t, prev_t = area.total(f.months), area.total(f.previous.months)
    now = open_facts(f).aggregate(
        open=Count("status"), overdue=Count("status", filter=overdue_q(now=clock.now()))
    )
    whistles, whistles_prev = whistles_blown(f)
    return [
        Tile("created", _("新增诉求"), now_t.created, prev_t.created),
        Tile("open", _("办理中"), now["open"], None, note=_("当前")),
        Tile("resolved", _("已办结"), now_t.resolved, prev_t.resolved),
        Tile("overdue", _("已超时"), now["overdue"], None, note=_("当前")),
        Tile("escalated", _("已升级"), now_t.escalated, prev_t.escalated),
        Tile("whistles", _("吹哨"), whistles, whistles_prev),
        Tile("response_rate", _("响应率"), now_t.rates.response_rate, prev_t.rates.response_rate, True),
        Tile("resolution_rate", _("解决率"), now_t.rates.resolution_rate, prev_t.rates.resolution_rate, True),
        Tile(
            "satisfaction_rate",
            _("满意率"),
            now_t.rates.satisfaction_rate,
            prev_t.rates.satisfaction_rate,
            True,
        ),
        Tile("composite", _("综合得分"), now_t.rates.composite, prev_t.rates.composite, True),
    ]


def whistles_blown(f: Filters) -> tuple[int, int]:
    """Whistles blown in the area in the period and in the previous period (one query, `appeal_event_kind`)."""
    start = datetime.combine(f.previous.days[0], time(), tzinfo=_tz())
    middle = datetime.combine(f.days[0], time(), tzinfo=_tz())
    end = datetime.combine(f.days[1], time(), tzinfo=_tz())
    qs = AppealEvent.objects.filter(kind=EventKind.WHISTLE_BLOWN, created_at__gte=start, created_at__lt=end)
    if f.community_id:
        qs = qs.filter(appeal__community_id=f.community_id)
    elif f.street_id:
        qs = qs.filter(appeal__street_id=f.street_id)
    n = qs.aggregate(
        now=Count("pk", filter=Q(created_at__gte=middle)), before=Count("pk", filter=Q(created_at__lt=middle))
    )
    return n["now"], n["before"]


# ---------------------------------------------------------------- trends


@dataclass
class Series:
    label: str
    values: list[int]


@dataclass
class Trend:
    periods: list[str]
    series: list[Series]

    @property
    def totals(self) -> list[int]:
        return [sum(s.values[i] for s in self.series) for i in range(len(self.periods))]

    @property
    def peak(self) -> int:
        return max(self.totals, default=0) or 1


def volume_trend(f: Filters, *, top: int = 5, months: int = 12, area: AreaMonths | None = None) -> Trend:
    """Appeals filed per month (the 12 months up to the period's end) by top-level category."""
    area = area or AreaMonths(f, trend=months)
    names = area.trend_months
    roots = _root_of()
    per: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in area.rows:
        if not f.source or row["source"] == f.source:
            per[roots.get(row["category_id"], row["category_id"])][row["month"]] += row["created"] or 0
    firsts = area.firsts(names)
    ranked = sorted(
        (c for c in per if any(per[c].get(m) for m in firsts)),
        key=lambda c: -sum(per[c].get(m, 0) for m in firsts),
    )
    labels = category_names()
    series = [Series(labels.get(c, "—"), [per[c].get(m, 0) for m in firsts]) for c in ranked[:top]]
    rest = ranked[top:]
    if rest:
        from django.utils.translation import gettext as _  # noqa: PLC0415

        series.append(Series(_("其他"), [sum(per[c].get(m, 0) for c in rest) for m in firsts]))
    return Trend(periods=names, series=series)


@dataclass
class TimeRow:
    label: str
    resolved: int
    median_hours: float | None  # nearest rank from the bands (within 2 % of exact), hours — percentiles.py
    p90_hours: float | None


def resolution_times(f: Filters, *, by: str) -> list[TimeRow]:
    """Median and 90th-percentile resolution time (within 2 % of exact) per top-level category or party of the
    appeals resolved in the period (`percentiles`, nearest rank)."""
    by_category, by_party = resolution_times_both(f)
    return by_category if by == "category" else by_party


def resolution_times_both(f: Filters) -> tuple[list[TimeRow], list[TimeRow]]:
    """The two tables of the dashboard (by category, by party) from one read of the month histograms."""
    from shequ.analytics.percentiles import resolution_quantiles_by_category_and_party  # noqa: PLC0415

    by_category, by_party = resolution_quantiles_by_category_and_party(f, roots=_root_of())
    parties = dict(Party.objects.filter(pk__in=list(by_party)).values_list("pk", "name")) if by_party else {}
    out = []
    for found, names in ((by_category, category_names()), (by_party, parties)):
        rows = [TimeRow(names.get(k, "—"), n, p50, p90) for k, (n, p50, p90) in found.items() if n]
        rows.sort(key=lambda r: (-r.resolved, r.label))
        out.append(rows)
    return out[0], out[1]


# ---------------------------------------------------------------- rankings


@dataclass
class RankRow:
    key: int
    label: str
    created: int
    resolved: int
    rates: Rates
    trend: list[float | None] = field(default_factory=list)


def party_ranking(f: Filters, *, trend_months: int = 6) -> list[RankRow]:
    """Property companies (and every other accountable party) in the area, by the fair composite, with
    the composite of each of the last months — one grouped query (party × month)."""
    months = recent_months(trend_months, upto=f.month)
    start = min(_first(months[0]), f.days[0])
    period, trend = set(AreaMonths.firsts(f.months)), AreaMonths.firsts(months)
    acc: dict[int, Totals] = defaultdict(Totals)
    history: dict[int, dict[date, Rates]] = defaultdict(dict)
    rows = month_rows(f, start=start).values("month", "party_id").annotate(**SUMS).order_by()
    for row in rows:
        if not row["party_id"]:
            continue
        if row["month"] in period:
            acc[row["party_id"]].add(row)
        history[row["party_id"]].setdefault(row["month"], Rates()).add(row)
    names = dict(Party.objects.filter(pk__in=list(acc)).values_list("pk", "name")) if acc else {}
    out = [
        RankRow(
            pk,
            names.get(pk, "—"),
            t.created,
            t.resolved,
            t.rates,
            [history[pk].get(m, Rates()).composite for m in trend],
        )
        for pk, t in acc.items()
    ]
    out.sort(key=lambda r: rank_key(r.rates, r.label))
    return out


def community_ranking(f: Filters) -> list[RankRow]:
    acc: dict[int, Totals] = defaultdict(Totals)
    for row in month_rows(f).values("community_id").annotate(**SUMS).order_by():
        acc[row["community_id"]].add(row)
    places = (
        Place.objects.filter(street_id=f.street_id, kind="community").only("pk", "name")
        if f.street_id
        else Place.objects.none()
    )
    out = [RankRow(p.pk, p.name, acc[p.pk].created, acc[p.pk].resolved, acc[p.pk].rates) for p in places]
    out.sort(key=lambda r: rank_key(r.rates, r.label))
    return out


def category_ranking(f: Filters, area: AreaMonths | None = None) -> list[RankRow]:
    acc = (area or AreaMonths(f)).by_category(f.months)
    names = category_names()
    out = [RankRow(k, names.get(k, "—"), t.created, t.resolved, t.rates) for k, t in acc.items() if t.created]
    out.sort(key=lambda r: (-r.created, r.label))
    return out


# ---------------------------------------------------------------- 每月一题 and the hotline measure


@dataclass
class MonthlyTopic:
    category: str
    count: int
    previous: int
    top_place: str


def monthly_topic(
    f: Filters, area: AreaMonths | None = None, counts: list | None = None
) -> MonthlyTopic | None:
    """The month's most frequent problem (top-level category) of the area, and where it is worst."""
    area = area or AreaMonths(f)
    before_month = recent_months(2, upto=f.month)[0]
    now = {k: t.created for k, t in area.by_category([f.month]).items() if t.created}
    if not now:
        return None
    names = category_names()
    top = min(now, key=lambda k: (-now[k], names.get(k, "")))
    before = area.by_category([before_month]).get(top)
    month_f = Filters(**{**f.__dict__, "span": 1})
    ids = {pk for pk, root in _root_of().items() if root == top}
    places = hot_spots(month_f, limit=1, counts=counts if f.span == 1 else None, category_ids=ids)
    return MonthlyTopic(
        names.get(top, "—"), now[top], before.created if before else 0, places[0].label if places else ""
    )


def community_matter_ids() -> set[int]:
    roots = _root_of()
    root_ids = set(Category.objects.filter(code__in=COMMUNITY_MATTER_ROOTS).values_list("pk", flat=True))
    return {pk for pk, root in roots.items() if root in root_ids}


@dataclass
class HotlineRow:
    month: str
    in_shequ: int
    hotline: int
    community_matters: int

    @property
    def matter_share(self) -> float | None:
        return self.community_matters / self.hotline if self.hotline else None


def hotline_vs_shequ(f: Filters, area: AreaMonths | None = None, *, months: int = 12) -> list[HotlineRow]:
    """Per month: appeals filed inside shequ, 12345 hotline orders about the same area, and how many of
    those were community matters (property, neighbours, facilities) — whatever the source filter."""
    area = area or AreaMonths(f, trend=months)
    names = area.trend_months
    matters = community_matter_ids()
    out = {_first(m): HotlineRow(m, 0, 0, 0) for m in names}
    for row in area.rows:
        r = out.get(row["month"])
        if r is None:
            continue
        n = row["created"] or 0
        if row["source"] == Source.HOTLINE:
            r.hotline += n
            if row["category_id"] in matters:
                r.community_matters += n
        else:
            r.in_shequ += n
    return list(out.values())


def appeals_in_period(f: Filters):
    """The appeals ledger of the period (narrow values, for the Excel export)."""
    s, e = f.days
    start = datetime.combine(s, time(), tzinfo=_tz())
    end = datetime.combine(e, time(), tzinfo=_tz())
    return (
        _appeals(f)
        .filter(created_at__gte=start, created_at__lt=end)
        .order_by("created_at", "id")
        .values(
            "number",
            "created_at",
            "kind",
            "category__name",
            "community_id",
            "place__name",
            "source",
            "status",
            "first_party__name",
            "responsible_party__name",
            "dispatched_at",
            "accepted_at",
            "resolved_at",
            "rating",
            "solved",
        )
    )
