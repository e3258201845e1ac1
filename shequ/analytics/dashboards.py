"""The leaders' dashboards: the KPI tiles, trends, rankings, 每月一题 and the hotline measure of a street's
or a community's page and of /api/v1/analytics/…, read from the month rows in a few grouped queries
(`AreaMonths`: one read serves the tiles, the 12-month trend, the category ranking, 每月一题 and the
hotline measure). "Open" and "overdue" — figures of the present moment — are counted on the facts of the
open appeals (partial index `an_fact_open`) with the one overdue rule of appeals (`overdue_q`).
Hot spots, repeat problems and the early warning live in `places.py`; the filters in `filters.py`.

Community matters (the article's measure): categories under 设施报修, 停车与车棚, 物业服务, 邻里纠纷.

(Over 500 lines on purpose: the one grouped read of the month rows and every figure computed from it stay
in one module, so that a figure cannot quietly start reading the rows a second time.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import Count, Q, Sum

from shequ.analytics.filters import (  # noqa: F401 — re-exported: the dashboards' public names
    SPANS,
    Filters,
    _appeals,
    _category_ids,
    _facts,
    _root_of,
    _tz,
    category_codes,
    category_names,
    month_rows,
    open_facts,
    parse_filters,
    rollup_rows,
)
from shequ.analytics.percentiles import Quantiles, resolution_quantiles_by_category_and_party
from shequ.analytics.places import (  # noqa: F401 — re-exported
    REPEAT_DAYS,
    SPIKE_MIN,
    SPIKE_SIGMAS,
    SPIKE_WEEKS,
    HotSpot,
    PlaceLabels,
    PlaceRanking,
    RepeatProblem,
    Spike,
    hot_spots,
    place_counts,
    place_labels,
    rank_places,
    repeat_found,
    repeat_problems,
    spikes,
    week_start,
)
from shequ.analytics.rates import RATE_COUNTS, Rates, month_days, rank_key, recent_months
from shequ.analytics.rollups import rollups_fresh
from shequ.analytics.weeks import TREND_WEEKS, Series, Trend, stack, weekly_trend  # noqa: F401 — re-exported
from shequ.appeals.models import AppealEvent, EventKind, Source
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
    """The area's month rows, every count summed, in **one query** over the months the page shows (the
    period, the previous period, the trend's 12 months, the party ranking's 6), grouped three ways at
    once: (month, source, category) for the tiles, the trend, the category ranking, 每月一题 and the
    hotline measure; (month, source, party) for the party ranking; (month, source, community) for the
    community ranking (each arm a range scan of `an_month_street` / `an_month_comm`). The source filter
    is applied here, not in SQL, because the hotline measure compares the sources."""

    TREND_MONTHS = 12
    PARTY_MONTHS = 6
    GROUPS = ("category", "party", "community", "community_hotline")

    def __init__(self, f: Filters, *, trend: int = TREND_MONTHS, party_trend: int = PARTY_MONTHS):
        self.f = f
        self.trend = trend
        self.party_trend = party_trend

    @staticmethod
    def firsts(months: list[str]) -> list[date]:
        return [_first(m) for m in months]

    @cached_property
    def trend_months(self) -> list[str]:
        return recent_months(self.trend, upto=self.f.month)

    @cached_property
    def party_months(self) -> list[str]:
        return recent_months(self.party_trend, upto=self.f.month)

    @cached_property
    def grouped(self) -> dict[str, list[dict[str, Any]]]:
        """{"category" | "party" | "community" | "community_hotline": rows {month, source, <group>_id,
        counts…}}, one query: grouped arms joined by UNION ALL, each over only the months it needs (the
        categories over all of them, the parties over their trend and the period, the communities over the
        period; on a street's page a fourth arm, the hotline orders per community and month over the trend's
        months with community matters apart, for `hotline_by_community`) — on PostgreSQL cheaper than GROUPING
        SETS over all the months (24 against 30 ms at 1M appeals)."""
        f = self.f
        period = _first(f.months[0])
        start = min(_first(m[0]) for m in (self.trend_months, self.party_months, f.previous.months))
        end = f.days[1]
        columns = ("month", "source", "category_id", "party_id", "community_id", *SUMS)
        sums = ", ".join(f"SUM({n})" for n in SUMS)
        arms, params = [], []
        for g, column, since in (
            (2, "category_id", start),
            (1, "party_id", min(period, _first(self.party_months[0]))),
            (3, "community_id", period),
        ):
            inner, p = (
                month_rows(f, start=since, end=end, source=False).values(*columns).query.sql_with_params()
            )
            arms.append(
                f"SELECT {g}, month, source, {column}, {sums} FROM ({inner}) t{g} GROUP BY month, source, {column}"
            )  # noqa: S608
            params += p
        if not f.community_id:  # a street's page: each community's hotline orders over the trend's months
            matters = ", ".join(str(int(pk)) for pk in sorted(community_matter_ids())) or "NULL"
            key = f"community_id * 2 + CASE WHEN category_id IN ({matters}) THEN 1 ELSE 0 END"
            rows = month_rows(f, start=start, end=end, source=False).filter(source=Source.HOTLINE)
            inner, p = rows.values(*columns).query.sql_with_params()
            zeros = ", ".join(["SUM(created)"] + ["0"] * (len(SUMS) - 1))
            arms.append(
                f"SELECT 4, month, source, {key} AS k, {zeros} FROM ({inner}) t4 GROUP BY month, source, k"
            )  # noqa: S608
            params += p
        out: dict[str, list[dict[str, Any]]] = {g: [] for g in self.GROUPS}
        names = {2: "category", 1: "party", 3: "community", 4: "community_hotline"}
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(arms), params)
            for g, month, source, key, *counts in cursor.fetchall():
                group = names[g]
                row = dict(zip(SUMS, counts, strict=True))
                row.update(month=_as_date(month), source=source)
                if g == 4:  # key = community × 2 + (1 if a community matter)
                    row.update(community_id=key // 2, matter=bool(key % 2))
                else:
                    row[f"{group}_id"] = key
                out[group].append(row)
        return out

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The (month, source, category) rows."""
        return self.grouped["category"]

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

    def by(self, group: str, months: list[str] | None = None) -> list[dict[str, Any]]:
        """The (month, source, `group`) rows of the months (default: all read), with the source filter."""
        wanted = set(self.firsts(months)) if months is not None else None
        return [
            row
            for row in self.grouped[group]
            if (wanted is None or row["month"] in wanted)
            and (not self.f.source or row["source"] == self.f.source)
        ]


def _as_date(value: date | str) -> date:
    """A month from a raw cursor: a date on PostgreSQL, ISO text on SQLite."""
    return date.fromisoformat(value) if isinstance(value, str) else value


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


def volume_trend(f: Filters, *, top: int = 5, months: int = 12, area: AreaMonths | None = None) -> Trend:
    """Appeals filed per month (the 12 months up to the period's end) by top-level category."""
    area = area or AreaMonths(f, trend=months)
    names = area.trend_months
    roots = _root_of()
    per: dict[int, dict[Hashable, int]] = defaultdict(lambda: defaultdict(int))
    for row in area.rows:
        if not f.source or row["source"] == f.source:
            per[roots.get(row["category_id"], row["category_id"])][row["month"]] += row["created"] or 0
    return Trend(periods=names, series=stack(per, area.firsts(names), top=top))


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


def resolution_times_both(
    f: Filters, *, quantiles: tuple[Quantiles, Quantiles] | None = None, names: dict[int, str] | None = None
) -> tuple[list[TimeRow], list[TimeRow]]:
    """The two tables of the dashboard (by category, by party) from one read of the month histograms
    (or the `quantiles` already read), the parties named from `names` when given."""
    by_category, by_party = quantiles or period_quantiles(f)
    if names is None:
        names = party_names(set(by_party))
    out = []
    for found, labels in ((by_category, category_names()), (by_party, names)):
        rows = [TimeRow(labels.get(k, "—"), n, p50, p90) for k, (n, p50, p90) in found.items() if n]
        rows.sort(key=lambda r: (-r.resolved, r.label))
        out.append(rows)
    return out[0], out[1]


def period_quantiles(f: Filters) -> tuple[Quantiles, Quantiles]:
    """{top category: (resolved, median h, p90 h)} and the same per party: one read of `MonthlyBands`."""
    return resolution_quantiles_by_category_and_party(f, roots=_root_of())


# ---------------------------------------------------------------- rankings


@dataclass
class RankRow:
    key: int
    label: str
    created: int
    resolved: int
    rates: Rates
    trend: list[float | None] = field(default_factory=list)


def party_ranking(
    f: Filters,
    area: AreaMonths | None = None,
    *,
    names: dict[int, str] | None = None,
    totals: tuple[dict[int, Totals], dict[int, dict[date, Rates]]] | None = None,
) -> list[RankRow]:
    """Property companies (and every other accountable party) in the area, by the fair composite, with
    the composite of each of the last months — from the area's (month, party) rows (`AreaMonths`)."""
    area = area or AreaMonths(f)
    acc, history = totals or party_totals(f, area)
    if names is None:
        names = party_names(set(acc))
    trend = AreaMonths.firsts(area.party_months)
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


def party_totals(f: Filters, area: AreaMonths) -> tuple[dict[int, Totals], dict[int, dict[date, Rates]]]:
    """Each accountable party's totals over the period and its rates per month of the party trend."""
    period, trend = set(AreaMonths.firsts(f.months)), set(AreaMonths.firsts(area.party_months))
    acc: dict[int, Totals] = defaultdict(Totals)
    history: dict[int, dict[date, Rates]] = defaultdict(dict)
    for row in area.by("party"):
        if not row["party_id"]:
            continue
        if row["month"] in period:
            acc[row["party_id"]].add(row)
        if row["month"] in trend:
            history[row["party_id"]].setdefault(row["month"], Rates()).add(row)
    return acc, history


def party_names(ids: set[int]) -> dict[int, str]:
    return dict(Party.objects.filter(pk__in=sorted(ids)).values_list("pk", "name")) if ids else {}


def community_ranking(
    f: Filters, area: AreaMonths | None = None, *, communities: list[Place] | None = None
) -> list[RankRow]:
    """The communities of the street by the fair composite (the area's (month, community) rows)."""
    acc: dict[int, Totals] = defaultdict(Totals)
    for row in (area or AreaMonths(f)).by("community", f.months):
        acc[row["community_id"]].add(row)
    if communities is None:
        communities = street_communities(f.street_id)
    out = [RankRow(p.pk, p.name, acc[p.pk].created, acc[p.pk].resolved, acc[p.pk].rates) for p in communities]
    out.sort(key=lambda r: rank_key(r.rates, r.label))
    return out


def street_communities(street_id: int | None) -> list[Place]:
    if not street_id:
        return []
    return list(
        Place.objects.filter(street_id=street_id, kind="community").only("pk", "name").order_by("name")
    )


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


@dataclass
class TopicPick:
    """每月一题 before naming its place: the top category, its counts and its places ranked."""

    category_id: int
    count: int
    previous: int
    ranking: PlaceRanking


def topic_pick(f: Filters, area: AreaMonths | None = None, counts: list | None = None) -> TopicPick | None:
    """The month's most frequent top-level category of the area (from the month rows) and its places
    (from the month's place counts: `counts` when the period is that month, else one read)."""
    area = area or AreaMonths(f)
    before_month = recent_months(2, upto=f.month)[0]
    now = {k: t.created for k, t in area.by_category([f.month]).items() if t.created}
    if not now:
        return None
    names = category_names()
    top = min(now, key=lambda k: (-now[k], names.get(k, "")))
    before = area.by_category([before_month]).get(top)
    if f.span != 1 or counts is None:
        counts = place_counts(Filters(**{**f.__dict__, "span": 1}))
    ids = {pk for pk, root in _root_of().items() if root == top}
    return TopicPick(
        top, now[top], before.created if before else 0, rank_places(counts, limit=1, category_ids=ids)
    )


def monthly_topic(
    f: Filters,
    area: AreaMonths | None = None,
    counts: list | None = None,
    *,
    pick: TopicPick | None = None,
    labels: PlaceLabels | None = None,
) -> MonthlyTopic | None:
    """The month's most frequent problem (top-level category) of the area, and where it is worst."""
    pick = pick or topic_pick(f, area, counts)
    if pick is None:
        return None
    # where it is worst: a spot or building, not the compound around them
    places = hot_spots(f, limit=1, ranking=replace(pick.ranking, compounds=[]), labels=labels)
    return MonthlyTopic(
        category_names().get(pick.category_id, "—"),
        pick.count,
        pick.previous,
        places[0].label if places else "",
    )


def community_matter_ids() -> set[int]:
    roots = _root_of()
    codes = category_codes()
    root_ids = {codes[c] for c in COMMUNITY_MATTER_ROOTS if c in codes}
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


@dataclass
class CommunityHotline:
    """One community of a street in the period: appeals filed inside shequ against the 12345 orders about
    it, how many of those were community matters, the hotline count of the previous period, and its
    hotline orders per month over the trend's months (oldest first)."""

    community_id: int
    label: str
    in_shequ: int = 0
    hotline: int = 0
    community_matters: int = 0
    previous_hotline: int = 0
    months: list[int] = field(default_factory=list)

    @property
    def matter_share(self) -> float | None:
        return self.community_matters / self.hotline if self.hotline else None

    @property
    def change(self) -> int:
        return self.hotline - self.previous_hotline


def hotline_by_community(
    f: Filters, area: AreaMonths | None = None, *, communities: list[Place] | None = None
) -> list[CommunityHotline]:
    """The hotline measure per community of a street (whatever the source filter): the period's figures,
    the previous period's hotline count and the 12-month hotline trend — from the area's grouped read (no
    query of its own). The communities with the most hotline orders come first."""
    area = area or AreaMonths(f)
    if communities is None:
        communities = street_communities(f.street_id)
    trend = area.firsts(area.trend_months)
    index = {m: i for i, m in enumerate(trend)}
    period, previous = set(area.firsts(f.months)), set(area.firsts(f.previous.months))
    out = {p.pk: CommunityHotline(p.pk, p.name, months=[0] * len(trend)) for p in communities}
    for row in area.grouped["community"]:  # the period's rows
        r = out.get(row["community_id"])
        if r is not None and row["source"] != Source.HOTLINE and row["month"] in period:
            r.in_shequ += row["created"] or 0
    for row in area.grouped["community_hotline"]:  # the trend's months, community matters apart
        r = out.get(row["community_id"])
        if r is None:
            continue
        n, month = row["created"] or 0, row["month"]
        if month in index:
            r.months[index[month]] += n
        if month in period:
            r.hotline += n
            r.community_matters += n if row["matter"] else 0
        elif month in previous:
            r.previous_hotline += n
    return sorted(out.values(), key=lambda r: (-r.hotline, -r.in_shequ, r.label))


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
