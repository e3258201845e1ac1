"""The leaders' dashboards: every figure of a street's or a community's page and of
/api/v1/analytics/…, read from the per-day rollups (volumes, rates, resolution times, rankings,
spikes) and the narrow fact rows (hot spots, repeat problems). Only "open" and "overdue" — figures
of the present moment — are counted on the appeals, with the one overdue rule of appeals.

Rules stated on the page and in docs/analytics.md:
- early warning: a category or compound whose appeals this week exceed the mean + 3σ of its previous
  8 weeks and number at least 5;
- a repeat problem: the same spot / asset reported again within 30 days of an earlier resolution;
- community matters (the article's measure): categories under 设施报修, 停车与车棚, 物业服务, 邻里纠纷.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import monotonic
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from shequ.analytics.models import BUCKETS, RESOLVE_BUCKET_HOURS, AppealFact, DailyRollup
from shequ.analytics.rates import RATE_COUNTS, Rates, month_days, rank_key, recent_months
from shequ.analytics.rollups import rollups_fresh
from shequ.appeals.models import OPEN_STATUSES, Appeal, AppealEvent, Category, EventKind, Kind, Source
from shequ.appeals.selectors import overdue_q
from shequ.core import clock
from shequ.core.errors import Invalid
from shequ.directory.models import Party, Place, Spot

SPIKE_WEEKS = 8
SPIKE_SIGMAS = 3
SPIKE_MIN = 5
REPEAT_DAYS = 30
COMMUNITY_MATTER_ROOTS = ("facilities", "parking-sheds", "property-service", "neighbour-dispute")
SPANS = (1, 3, 6, 12)
VOLUME_FIELDS = ("created", "escalated", "resolved", "resolve_seconds", *(f"h{i}" for i in range(BUCKETS)))


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Filters:
    """What a dashboard is about: a street or a community, a period of `span` months ending with
    `month`, and optional filters."""

    street_id: int | None = None
    community_id: int | None = None
    month: str = ""
    span: int = 1
    compound_id: int | None = None
    category_id: int | None = None
    party_id: int | None = None
    kind: str = ""
    source: str = ""

    @property
    def months(self) -> list[str]:
        return recent_months(self.span, upto=self.month)

    @property
    def days(self) -> tuple[date, date]:
        names = self.months
        return month_days(names[0])[0], month_days(names[-1])[1]

    @property
    def previous(self) -> Filters:
        first = self.months[0]
        before = recent_months(2, upto=first)[0]
        return Filters(**{**self.__dict__, "month": before})

    def as_query(self) -> dict[str, str]:
        out = {"month": self.month, "span": str(self.span)}
        for name in ("compound_id", "category_id", "party_id", "kind", "source"):
            value = getattr(self, name)
            if value:
                out[name.removesuffix("_id")] = str(value)
        return out


def parse_filters(
    *,
    month: str,
    span: int | str | None = 1,
    compound: str | int | None = None,
    category: str | int | None = None,
    party: str | int | None = None,
    kind: str | None = "",
    source: str | None = "",
) -> dict:
    """Validate the shared filter inputs of pages, exports and the API (zh + en errors)."""

    def ident(value, name: str) -> int | None:
        if value in (None, ""):
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise Invalid(
                f"{name} 无效。", f"{name} is invalid.", code="filter_invalid", fields={name: "invalid"}
            )

    month_days(month)  # raises Invalid on a bad month
    try:
        span_n = int(span or 1)
    except (TypeError, ValueError):
        span_n = 0
    if span_n not in SPANS:
        raise Invalid(
            "统计周期只能是 1、3、6 或 12 个月。", "span must be 1, 3, 6 or 12.", code="span_invalid"
        )
    if kind and kind not in Kind.values:
        raise Invalid("类型无效。", "Unknown kind.", code="kind_invalid", fields={"kind": "invalid"})
    if source and source not in Source.values:
        raise Invalid("来源无效。", "Unknown source.", code="source_invalid", fields={"source": "invalid"})
    return {
        "month": month,
        "span": span_n,
        "compound_id": ident(compound, "compound"),
        "category_id": ident(category, "category"),
        "party_id": ident(party, "party"),
        "kind": kind or "",
        "source": source or "",
    }


def _category_ids(category_id: int) -> list[int]:
    ids = [category_id]
    ids += list(Category.objects.filter(parent_id=category_id).values_list("pk", flat=True))
    return ids


def rollup_rows(f: Filters, *, start: date | None = None, end: date | None = None) -> QuerySet[DailyRollup]:
    s, e = f.days
    qs = DailyRollup.objects.filter(day__gte=start or s, day__lt=end or e)
    if f.community_id:
        qs = qs.filter(community_id=f.community_id)
    elif f.street_id:
        qs = qs.filter(street_id=f.street_id)
    if f.compound_id:
        qs = qs.filter(compound_id=f.compound_id)
    if f.category_id:
        qs = qs.filter(category_id__in=_category_ids(f.category_id))
    if f.party_id:
        qs = qs.filter(party_id=f.party_id)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.source:
        qs = qs.filter(source=f.source)
    return qs


def _appeals(f: Filters) -> QuerySet[Appeal]:
    qs = Appeal.objects.all()
    if f.community_id:
        qs = qs.filter(community_id=f.community_id)
    elif f.street_id:
        qs = qs.filter(street_id=f.street_id)
    if f.compound_id:
        qs = qs.filter(compound_id=f.compound_id)
    if f.category_id:
        qs = qs.filter(category_id__in=_category_ids(f.category_id))
    if f.party_id:
        qs = qs.filter(
            Q(first_party_id=f.party_id) | Q(first_party__isnull=True, responsible_party_id=f.party_id)
        )
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.source:
        qs = qs.filter(source=f.source)
    return qs


def _facts(f: Filters) -> QuerySet[AppealFact]:
    s, e = f.days
    start = datetime.combine(s, time(), tzinfo=_tz())
    end = datetime.combine(e, time(), tzinfo=_tz())
    qs = AppealFact.objects.filter(created_at__gte=start, created_at__lt=end)
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


# ---------------------------------------------------------------- KPI tiles


@dataclass
class Totals:
    created: int = 0
    escalated: int = 0
    resolved: int = 0
    resolve_seconds: int = 0
    buckets: list[int] = field(default_factory=lambda: [0] * BUCKETS)
    rates: Rates = field(default_factory=Rates)

    def add(self, row: dict) -> None:
        self.created += row.get("created") or 0
        self.escalated += row.get("escalated") or 0
        self.resolved += row.get("resolved") or 0
        self.resolve_seconds += row.get("resolve_seconds") or 0
        for i in range(BUCKETS):
            self.buckets[i] += row.get(f"h{i}") or 0
        self.rates.add(row)

    @property
    def median_hours(self) -> int | None:
        return bucket_quantile(self.buckets, 0.5)

    @property
    def p90_hours(self) -> int | None:
        return bucket_quantile(self.buckets, 0.9)


def bucket_quantile(buckets: list[int], q: float) -> int | None:
    """The upper bound (hours) of the duration bucket holding the q-quantile; None without data;
    -1 for the open-ended last bucket (more than 60 days)."""
    total = sum(buckets)
    if not total:
        return None
    rank = math.ceil(q * total)
    seen = 0
    for i, n in enumerate(buckets):
        seen += n
        if seen >= rank:
            return RESOLVE_BUCKET_HOURS[i] if i < len(RESOLVE_BUCKET_HOURS) else -1
    return -1


def _sums(qs: QuerySet[DailyRollup], *group: str):
    fields = dict.fromkeys((*VOLUME_FIELDS, *RATE_COUNTS))
    if not group:
        return [qs.aggregate(**{n: Sum(n) for n in fields})]
    return qs.values(*group).annotate(**{n: Sum(n) for n in fields}).order_by()


def totals(f: Filters) -> Totals:
    out = Totals()
    for row in _sums(rollup_rows(f)):
        out.add(row)
    return out


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


def kpi_tiles(f: Filters) -> list[Tile]:
    from django.utils.translation import gettext as _  # noqa: PLC0415

    rollups_fresh()
    now_t, prev_t = totals(f), totals(f.previous)
    scope = _appeals(f).filter(status__in=OPEN_STATUSES)
    open_now = scope.count()
    overdue_now = scope.filter(overdue_q(now=clock.now())).count()
    whistles = whistles_blown(f)
    whistles_prev = whistles_blown(f.previous)
    return [
        Tile("created", _("新增诉求"), now_t.created, prev_t.created),
        Tile("open", _("办理中"), open_now, None, note=_("当前")),
        Tile("resolved", _("已办结"), now_t.resolved, prev_t.resolved),
        Tile("overdue", _("已超时"), overdue_now, None, note=_("当前")),
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


def whistles_blown(f: Filters) -> int:
    s, e = f.days
    start = datetime.combine(s, time(), tzinfo=_tz())
    end = datetime.combine(e, time(), tzinfo=_tz())
    qs = AppealEvent.objects.filter(kind=EventKind.WHISTLE_BLOWN, created_at__gte=start, created_at__lt=end)
    if f.community_id:
        qs = qs.filter(appeal__community_id=f.community_id)
    elif f.street_id:
        qs = qs.filter(appeal__street_id=f.street_id)
    return qs.count()


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


def volume_trend(f: Filters, *, months: int = 12, top: int = 5) -> Trend:
    """Appeals filed per month (the last `months` months up to the period's end) by top category."""
    names = recent_months(months, upto=f.month)
    start, _ = month_days(names[0])
    _, end = month_days(names[-1])
    roots = _root_of()
    per: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        rollup_rows(f, start=start, end=end)
        .annotate(m=TruncMonth("day"))
        .values("m", "category_id")
        .annotate(n=Sum("created"))
        .order_by()
    )
    for row in rows:
        per[roots.get(row["category_id"], row["category_id"])][row["m"].strftime("%Y-%m")] += row["n"] or 0
    ranked = sorted(per, key=lambda c: -sum(per[c].values()))
    names_of = dict(Category.objects.filter(pk__in=ranked).values_list("pk", "name"))
    series = [Series(names_of.get(c, "—"), [per[c].get(m, 0) for m in names]) for c in ranked[:top]]
    rest = ranked[top:]
    if rest:
        from django.utils.translation import gettext as _  # noqa: PLC0415

        series.append(Series(_("其他"), [sum(per[c].get(m, 0) for c in rest) for m in names]))
    return Trend(periods=names, series=series)


_ROOTS: dict[str, object] = {}
ROOTS_SECONDS = 60


def _root_of() -> dict[int, int]:
    """Category id → its top-level category id (the tree is staff configuration: kept for a minute)."""
    at = _ROOTS.get("at")
    if isinstance(at, float) and monotonic() - at < ROOTS_SECONDS:
        return _ROOTS["roots"]  # type: ignore[return-value]  # stored below as dict[int, int]
    rows = list(Category.objects.values_list("pk", "parent_id"))
    parent = dict(rows)
    out = {}
    for pk, _p in rows:
        node = pk
        while parent.get(node):
            node = parent[node]
        out[pk] = node
    _ROOTS.update(at=monotonic(), roots=out)
    return out


@dataclass
class TimeRow:
    label: str
    resolved: int
    median_hours: float | None  # exact (nearest rank), hours — see percentiles.py
    p90_hours: float | None


def resolution_times(f: Filters, *, by: str) -> list[TimeRow]:
    """Exact median and 90th-percentile resolution time per top-level category or accountable party of the
    appeals resolved in the period (`percentiles.resolution_quantiles`)."""
    from shequ.analytics.percentiles import resolution_quantiles  # noqa: PLC0415

    group = {"category": "category_id", "party": "party_id"}[by]
    found = resolution_quantiles(f, group=group, roots=_root_of() if by == "category" else None)
    model = Category if by == "category" else Party
    names = dict(model.objects.filter(pk__in=list(found)).values_list("pk", "name"))
    rows = [TimeRow(names.get(k, "—"), n, p50, p90) for k, (n, p50, p90) in found.items() if n]
    rows.sort(key=lambda r: (-r.resolved, r.label))
    return rows


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
    the composite of each of the last months."""
    acc: dict[int, Totals] = defaultdict(Totals)
    for row in _sums(rollup_rows(f), "party_id"):
        if row["party_id"]:
            acc[row["party_id"]].add(row)
    names = dict(Party.objects.filter(pk__in=list(acc)).values_list("pk", "name"))
    history: dict[int, dict[str, Rates]] = defaultdict(dict)
    months = recent_months(trend_months, upto=f.month)
    start, _ = month_days(months[0])
    _, end = month_days(months[-1])
    trend_rows = (
        rollup_rows(f, start=start, end=end)
        .filter(party_id__in=list(acc))
        .annotate(m=TruncMonth("day"))
        .values("party_id", "m")
        .annotate(**{n: Sum(n) for n in RATE_COUNTS})
        .order_by()
    )
    for row in trend_rows:
        history[row["party_id"]].setdefault(row["m"].strftime("%Y-%m"), Rates()).add(row)
    out = [
        RankRow(
            pk,
            names.get(pk, "—"),
            t.created,
            t.resolved,
            t.rates,
            [history[pk].get(m, Rates()).composite for m in months],
        )
        for pk, t in acc.items()
    ]
    out.sort(key=lambda r: rank_key(r.rates, r.label))
    return out


def community_ranking(f: Filters) -> list[RankRow]:
    acc: dict[int, Totals] = defaultdict(Totals)
    for row in _sums(rollup_rows(f), "community_id"):
        acc[row["community_id"]].add(row)
    places = (
        Place.objects.filter(street_id=f.street_id, kind="community") if f.street_id else Place.objects.none()
    )
    out = [RankRow(p.pk, p.name, acc[p.pk].created, acc[p.pk].resolved, acc[p.pk].rates) for p in places]
    out.sort(key=lambda r: rank_key(r.rates, r.label))
    return out


def category_ranking(f: Filters) -> list[RankRow]:
    roots = _root_of()
    acc: dict[int, Totals] = defaultdict(Totals)
    for row in _sums(rollup_rows(f), "category_id"):
        acc[roots.get(row["category_id"], row["category_id"])].add(row)
    names = dict(Category.objects.filter(pk__in=list(acc)).values_list("pk", "name"))
    out = [RankRow(k, names.get(k, "—"), t.created, t.resolved, t.rates) for k, t in acc.items() if t.created]
    out.sort(key=lambda r: (-r.created, r.label))
    return out


# ---------------------------------------------------------------- hot spots and repeat problems


@dataclass
class HotSpot:
    label: str
    level: str
    count: int


def hot_spots(f: Filters, *, limit: int = 10) -> list[HotSpot]:
    """The spots / assets and buildings with the most appeals filed in the period."""
    from django.utils.translation import gettext as _  # noqa: PLC0415

    facts = _facts(f)
    spots = list(
        facts.exclude(spot_id=0).values("spot_id").annotate(n=Count("appeal_id")).order_by("-n")[:limit]
    )
    buildings = list(
        facts.exclude(building_id=0)
        .values("building_id")
        .annotate(n=Count("appeal_id"))
        .order_by("-n")[:limit]
    )
    spot_names = {
        s.pk: f"{_place_label(s.place)} {s.name}"
        for s in Spot.objects.filter(pk__in=[r["spot_id"] for r in spots]).select_related(
            "place", "place__compound"
        )
    }
    place_names = {
        p.pk: _place_label(p)
        for p in Place.objects.filter(pk__in=[r["building_id"] for r in buildings]).select_related("compound")
    }
    out = [HotSpot(spot_names.get(r["spot_id"], "—"), _("设施"), r["n"]) for r in spots]
    out += [HotSpot(place_names.get(r["building_id"], "—"), _("楼栋"), r["n"]) for r in buildings]
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


def repeat_problems(f: Filters, *, days: int = REPEAT_DAYS, limit: int = 20) -> list[RepeatProblem]:
    """Spots reported again within `days` of an earlier resolution, in the period — with the history."""
    spot_ids = list(_facts(f).exclude(spot_id=0).values_list("spot_id", flat=True).distinct()[:500])
    if not spot_ids:
        return []
    s, e = f.days
    end = datetime.combine(e, time(), tzinfo=_tz())
    since = datetime.combine(s, time(), tzinfo=_tz()) - timedelta(days=days)
    history: dict[int, list[AppealFact]] = defaultdict(list)
    for fact in AppealFact.objects.filter(
        spot_id__in=spot_ids, created_at__gte=since, created_at__lt=end
    ).order_by("spot_id", "created_at"):
        history[fact.spot_id].append(fact)
    window = timedelta(days=days)
    start = datetime.combine(s, time(), tzinfo=_tz())
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
    found = found[:limit]
    spots = {
        s.pk: s
        for s in Spot.objects.filter(pk__in=[x[0] for x in found]).select_related("place", "place__compound")
    }
    numbers = dict(
        Appeal.objects.filter(pk__in=[fa.appeal_id for x in found for fa in x[2]]).values_list("pk", "number")
    )
    return [
        RepeatProblem(
            spot_id,
            f"{_place_label(spots[spot_id].place)} {spots[spot_id].name}" if spot_id in spots else "—",
            facts,
            repeats,
            numbers,
        )
        for spot_id, repeats, facts in found
    ]


# ---------------------------------------------------------------- early warning


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
    previous 8 full weeks and number at least 5."""
    today = today or clock.now().astimezone(_tz()).date()
    this_week = week_start(today)
    first = this_week - timedelta(weeks=SPIKE_WEEKS)
    f = Filters(street_id=street_id, community_id=community_id)
    qs = rollup_rows(f, start=first, end=today + timedelta(days=1))
    roots = _root_of()
    counts: dict[tuple[str, int], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in qs.values("day", "category_id", "compound_id").annotate(n=Sum("created")).order_by():
        week = week_start(row["day"])
        counts[("category", roots.get(row["category_id"], row["category_id"]))][week] += row["n"] or 0
        if row["compound_id"]:
            counts[("compound", row["compound_id"])][week] += row["n"] or 0
    weeks = [first + timedelta(weeks=i) for i in range(SPIKE_WEEKS)]
    out = []
    for (dimension, key), per in counts.items():
        now_n = per.get(this_week, 0)
        if now_n < SPIKE_MIN:
            continue
        base = [per.get(w, 0) for w in weeks]
        mean = statistics.fmean(base)
        sigma = statistics.pstdev(base)
        if now_n > mean + SPIKE_SIGMAS * sigma:
            out.append(Spike(dimension, key, "", this_week, now_n, mean, sigma))
    cats = dict(
        Category.objects.filter(pk__in=[s.key for s in out if s.dimension == "category"]).values_list(
            "pk", "name"
        )
    )
    places = dict(
        Place.objects.filter(pk__in=[s.key for s in out if s.dimension == "compound"]).values_list(
            "pk", "name"
        )
    )
    for s in out:
        s.label = (cats if s.dimension == "category" else places).get(s.key, "—")
    out.sort(key=lambda s: -s.count)
    return out


# ---------------------------------------------------------------- 每月一题 and the hotline measure


@dataclass
class MonthlyTopic:
    category: str
    count: int
    previous: int
    top_place: str


def monthly_topic(f: Filters) -> MonthlyTopic | None:
    """The month's most frequent problem (top-level category) of the area, and where it is worst."""
    month_f = Filters(**{**f.__dict__, "span": 1})
    ranking = category_ranking(month_f)
    if not ranking:
        return None
    top = ranking[0]
    before = {r.key: r.created for r in category_ranking(month_f.previous)}
    cat_f = Filters(**{**month_f.__dict__, "category_id": top.key})
    places = hot_spots(cat_f, limit=1)
    return MonthlyTopic(top.label, top.created, before.get(top.key, 0), places[0].label if places else "")


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


def hotline_vs_shequ(f: Filters, *, months: int = 12) -> list[HotlineRow]:
    """Per month: appeals filed inside shequ, 12345 hotline orders about the same area, and how many of
    those were community matters (property, neighbours, facilities)."""
    names = recent_months(months, upto=f.month)
    start, _ = month_days(names[0])
    _, end = month_days(names[-1])
    matters = community_matter_ids()
    out = {m: HotlineRow(m, 0, 0, 0) for m in names}
    g = Filters(**{**f.__dict__, "source": ""})
    rows = (
        rollup_rows(g, start=start, end=end)
        .annotate(m=TruncMonth("day"))
        .values("m", "source", "category_id")
        .annotate(n=Sum("created"))
        .order_by()
    )
    for row in rows:
        r = out[row["m"].strftime("%Y-%m")]
        n = row["n"] or 0
        if row["source"] == Source.HOTLINE:
            r.hotline += n
            if row["category_id"] in matters:
                r.community_matters += n
        else:
            r.in_shequ += n
    return [out[m] for m in names]


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
