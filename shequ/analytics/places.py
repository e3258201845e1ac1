"""Where the problems are: hot spots (the spots / assets and buildings with the most appeals), repeat
problems (the same spot reported again within N days of a resolution — 未诉先办 acts on them before
residents call), and the early warning (a category or compound far above its own baseline this week).

Rules, stated on the page and in docs/analytics.md:
- early warning: a category or compound whose appeals this week exceed the mean + 3σ of its previous
  8 weeks and number at least 5;
- a repeat problem: the same spot / asset reported again within 30 days of an earlier resolution.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count

from shequ.analytics.filters import Filters, _facts, _filtered, _root_of, _tz, category_names, rollup_rows
from shequ.analytics.models import AppealFact
from shequ.appeals.models import Appeal
from shequ.core import clock
from shequ.directory.models import Place, Spot

SPIKE_WEEKS = 8
SPIKE_SIGMAS = 3
SPIKE_MIN = 5
REPEAT_DAYS = 30
COMPOUNDS_SHOWN = 3  # compounds among the hot spots (`hot_spots`)


@dataclass
class HotSpot:
    label: str
    level: str
    count: int


def place_counts(f: Filters) -> list[tuple[int, int, int, int, int]]:
    """(compound, building, spot, category, appeals) filed in the period: one grouped read of the facts
    (index-only on PostgreSQL: `an_fact_street_created` / `an_fact_comm_created` include every one of these
    columns), shared by the hot spots and 每月一题. A compound id of 0 is an appeal about no compound."""
    return list(
        _facts(f)
        .values_list("compound_id", "building_id", "spot_id", "category_id")
        .annotate(n=Count("*"))
        .order_by()
    )


@dataclass
class PlaceRanking:
    """The top spots / assets, buildings and compounds by appeals: (id, appeals), most first."""

    spots: list[tuple[int, int]]
    buildings: list[tuple[int, int]]
    compounds: list[tuple[int, int]] = field(default_factory=list)


def rank_places(
    counts: list[tuple[int, int, int, int, int]], *, limit: int = 10, category_ids: set[int] | None = None
) -> PlaceRanking:
    spots: dict[int, int] = defaultdict(int)
    buildings: dict[int, int] = defaultdict(int)
    compounds: dict[int, int] = defaultdict(int)
    for compound_id, building_id, spot_id, category_id, n in counts:
        if category_ids is not None and category_id not in category_ids:
            continue
        if spot_id:
            spots[spot_id] += n
        if building_id:
            buildings[building_id] += n
        if compound_id:
            compounds[compound_id] += n

    def top(counted: dict[int, int]) -> list[tuple[int, int]]:
        return sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

    return PlaceRanking(top(spots), top(buildings), top(compounds))


@dataclass
class PlaceLabels:
    """Display names of spots ("甲小区 3号楼 1号电梯"), buildings ("甲小区 3号楼") and compounds ("甲小区")."""

    spots: dict[int, str] = field(default_factory=dict)
    buildings: dict[int, str] = field(default_factory=dict)
    compounds: dict[int, str] = field(default_factory=dict)


def place_labels(
    *, spot_ids: Iterable[int] = (), building_ids: Iterable[int] = (), compound_ids: Iterable[int] = ()
) -> PlaceLabels:
    """The names of the spots, buildings and compounds a page shows: at most one query for the spots and
    one for the buildings and compounds together, however many tables (hot spots, 每月一题, repeat
    problems) show them."""
    spot_ids = sorted(set(spot_ids))
    building_ids, compound_ids = set(building_ids), set(compound_ids)
    spots = (
        {
            s.pk: f"{_place_label(s.place)} {s.name}"
            for s in Spot.objects.filter(pk__in=spot_ids).select_related("place", "place__compound")
        }
        if spot_ids
        else {}
    )
    places = (
        list(Place.objects.filter(pk__in=sorted(building_ids | compound_ids)).select_related("compound"))
        if building_ids or compound_ids
        else []
    )
    return PlaceLabels(
        spots,
        {p.pk: _place_label(p) for p in places if p.pk in building_ids},
        {p.pk: p.name for p in places if p.pk in compound_ids},
    )


def hot_spots(
    f: Filters,
    *,
    limit: int = 10,
    counts: list | None = None,
    category_ids: set[int] | None = None,
    ranking: PlaceRanking | None = None,
    labels: PlaceLabels | None = None,
) -> list[HotSpot]:
    """The spots / assets, buildings and compounds with the most appeals filed in the period (of some
    categories), most first. A compound counts every appeal inside it, so it would fill the list ahead of
    its own buildings: at most `COMPOUNDS_SHOWN` compounds are listed, to say where to look first."""
    from django.utils.translation import gettext as _  # noqa: PLC0415

    if ranking is None:
        ranking = rank_places(
            place_counts(f) if counts is None else counts, limit=limit, category_ids=category_ids
        )
    if labels is None:
        labels = place_labels(
            spot_ids=[k for k, _n in ranking.spots],
            building_ids=[k for k, _n in ranking.buildings],
            compound_ids=[k for k, _n in ranking.compounds],
        )
    out = [HotSpot(labels.spots.get(k, "—"), _("设施"), n) for k, n in ranking.spots]
    out += [HotSpot(labels.buildings.get(k, "—"), _("楼栋"), n) for k, n in ranking.buildings]
    out += [
        HotSpot(labels.compounds.get(k, "—"), _("小区"), n) for k, n in ranking.compounds[:COMPOUNDS_SHOWN]
    ]
    out.sort(key=lambda h: (-h.count, h.label))
    return out[:limit]


def _place_label(place: Place) -> str:
    if place.compound_id and place.compound_id != place.pk and place.compound is not None:
        return f"{place.compound.name} {place.name}"
    return place.name


@dataclass
class RepeatProblem:
    spot_id: int
    label: str
    history: list[AppealFact]
    repeats: int
    numbers: dict[int, str] = field(default_factory=dict)


RepeatFound = list[tuple[int, int, list[AppealFact]]]  # (spot, repeats, history), most repeats first


def repeat_problems(
    f: Filters,
    *,
    days: int = REPEAT_DAYS,
    limit: int = 20,
    found: RepeatFound | None = None,
    labels: PlaceLabels | None = None,
) -> list[RepeatProblem]:
    """Spots reported again within `days` of an earlier resolution, in the period — with the history
    (`repeat_found`), the spots named (`labels`, or one query) and the appeals' numbers (one query)."""
    if found is None:
        found = repeat_found(f, days=days, limit=limit)
    if not found:
        return []
    if labels is None:
        labels = place_labels(spot_ids=[x[0] for x in found])
    numbers = dict(
        Appeal.objects.filter(pk__in=[fa.appeal_id for x in found for fa in x[2]]).values_list("pk", "number")
    )
    return [
        RepeatProblem(spot_id, labels.spots.get(spot_id, "—"), facts, repeats, numbers)
        for spot_id, repeats, facts in found
    ]


def repeat_found(f: Filters, *, days: int = REPEAT_DAYS, limit: int = 20) -> RepeatFound:
    """The spots with repeats in the period, most first: one read of the area's spot facts from `days`
    before the period to its end (the partial index `an_fact_spots`)."""
    s, e = f.days
    start = datetime.combine(s, time(), tzinfo=_tz())
    end = datetime.combine(e, time(), tzinfo=_tz())
    window = timedelta(days=days)
    qs = _filtered(AppealFact.objects.filter(created_at__gte=start - window, created_at__lt=end), f)
    if f.street_id:
        qs = qs.filter(street_id=f.street_id)  # a community's too: the partial index `an_fact_spots`
    history: dict[int, list[AppealFact]] = defaultdict(list)
    for fact in (
        qs.exclude(spot_id=0)
        .only("appeal_id", "spot_id", "created_at", "resolved_at")
        .order_by("spot_id", "created_at")
    ):
        history[fact.spot_id].append(fact)
    found = []
    for spot_id, facts in history.items():
        repeats = 0
        for i, fact in enumerate(facts):
            if fact.created_at < start:
                continue
            if any(
                p.resolved_at is not None and p.resolved_at <= fact.created_at <= p.resolved_at + window
                for p in facts[:i]
            ):
                repeats += 1
        if repeats:
            found.append((spot_id, repeats, facts))
    found.sort(key=lambda x: -x[1])
    return found[:limit]


def _week_counts(qs, first: date) -> list[tuple[str, int, int, int]]:
    """(dimension, week, category or compound, appeals filed) of the day rows in one query, `week` the
    number of whole weeks since `first`: one scan with GROUPING SETS on PostgreSQL (index-only through
    `an_roll_street_day` / `an_roll_comm_day`), the two groupings of one CTE joined by UNION ALL on SQLite.
    Summed per week in the database, so a few hundred rows come back instead of one per day."""
    qs = qs.filter(created__gt=0)  # a quarter of the day rows only count later steps of older appeals
    inner, params = qs.values_list("day", "category_id", "compound_id", "created").query.sql_with_params()
    if connection.vendor == "postgresql":
        weeks = f"SELECT (day - %s::date) / 7 AS w, category_id, compound_id, created FROM ({inner}) d"  # noqa: S608
        sql = (
            "SELECT GROUPING(category_id), w, CASE WHEN GROUPING(category_id) = 0 THEN category_id"  # noqa: S608
            f" ELSE compound_id END, SUM(created) FROM ({weeks}) t"
            " GROUP BY GROUPING SETS ((w, category_id), (w, compound_id))"
        )
    else:
        weeks = (
            "SELECT CAST((julianday(day) - julianday(%s)) / 7 AS INTEGER) AS w, category_id, compound_id,"  # noqa: S608
            f" created FROM ({inner}) d"
        )
        sql = (
            f"WITH t AS ({weeks}) SELECT 0, w, category_id, SUM(created) FROM t GROUP BY w, category_id"  # noqa: S608
            " UNION ALL SELECT 1, w, compound_id, SUM(created) FROM t GROUP BY w, compound_id"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [first.isoformat(), *params])
        return [("compound" if g else "category", w, k, n) for g, w, k, n in cursor.fetchall()]


@dataclass
class Spike:
    dimension: str  # category | compound
    key: int
    label: str
    week: date  # Monday of the week
    count: int
    mean: float
    sigma: float

    @property
    def threshold(self) -> float:
        return self.mean + SPIKE_SIGMAS * self.sigma


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def spikes(
    *, street_id: int | None = None, community_id: int | None = None, today: date | None = None
) -> list[Spike]:
    """Categories and compounds whose appeals this week (Monday to today) exceed the mean + 3σ of the
    previous 8 full weeks and number at least 5 — one grouped read of the day rows, summed per week."""
    today = today or clock.now().astimezone(_tz()).date()
    this_week = week_start(today)
    first = this_week - timedelta(weeks=SPIKE_WEEKS)
    qs = rollup_rows(
        Filters(street_id=street_id, community_id=community_id), start=first, end=today + timedelta(days=1)
    )
    roots = _root_of()
    counts: dict[tuple[str, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for dimension, week, key, n in _week_counts(qs, first):
        if dimension == "category":
            key = roots.get(key, key)
        elif not key:
            continue
        counts[(dimension, key)][week] += n or 0
    weeks = range(SPIKE_WEEKS)  # the baseline; week SPIKE_WEEKS is this one
    out = []
    for (dimension, key), per in counts.items():
        now_n = per.get(SPIKE_WEEKS, 0)
        if now_n < SPIKE_MIN:
            continue
        base = [per.get(w, 0) for w in weeks]
        mean = statistics.fmean(base)
        sigma = statistics.pstdev(base)
        if now_n > mean + SPIKE_SIGMAS * sigma:
            out.append(Spike(dimension, key, "", this_week, now_n, mean, sigma))
    cats = category_names()
    compounds = [s.key for s in out if s.dimension == "compound"]
    places = dict(Place.objects.filter(pk__in=compounds).values_list("pk", "name")) if compounds else {}
    for s in out:
        s.label = (cats if s.dimension == "category" else places).get(s.key, "—")
    out.sort(key=lambda s: -s.count)
    return out
