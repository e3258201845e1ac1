"""API of analytics: a party's rates, the league table and (below) every dashboard figure."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from shequ.analytics import selectors
from shequ.analytics.rates import party_rates
from shequ.appeals.api import ERRORS  # the one error schema of the API
from shequ.core.pagination import Page, paged

router = Router(tags=["analytics"])


class RatesOut(Schema):
    party_id: int
    party: str
    month: str | None
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    composite: float | None
    sufficient: bool
    min_rated: int
    counts: dict[str, int]
    weights: list[float]


@router.get(
    "/parties/{int:party_id}/rates",
    response={200: RatesOut, **ERRORS},
    summary="三率 / A party's three rates (month=YYYY-MM; omitted: all time)",
    description="composite: weighted, a missing rate counts as 0; null (样本不足) with fewer than "
    "min_rated rated appeals in the period.",
)
def rates(request: HttpRequest, party_id: int, month: str | None = None):
    party = selectors.access_party(party_id=party_id)
    r = party_rates(party_ids=[party.pk], month=month)[party.pk]
    return {"party_id": party.pk, "party": party.name, **r.as_dict()}


class LeagueRowOut(RatesOut):
    rank: int


@router.get(
    "/analytics/league",
    response={200: Page[LeagueRowOut], **ERRORS},
    summary="排行 / The league table of one party kind in the viewer's streets",
    description="community: narrow to one community the viewer leads (a community leader their own, a "
    "street leader their street's, observers included); another id is refused (403 for non-leaders, 404 "
    "outside their area, message_zh + message_en). The ids a viewer may pass: GET "
    "/analytics/league/communities.",
)
@paged
def league(
    request: HttpRequest,
    kind: str = "property_company",
    month: str | None = None,
    community: int | None = None,
):
    rows = selectors.party_league(user=request.user, kind=kind, month=month, community_id=community)
    return [{"rank": i, "party_id": p.pk, "party": p.name, **r.as_dict()} for i, (p, r) in enumerate(rows, 1)]


class PlaceOut(Schema):
    id: int
    name: str


@router.get(
    "/analytics/league/communities",
    response={200: Page[PlaceOut], **ERRORS},
    summary="排行可选社区 / The communities the viewer may narrow the league table to (the picker's)",
)
@paged
def league_communities(request: HttpRequest):
    return [{"id": p.pk, "name": p.name} for p in selectors.league_communities(user=request.user)]


# ---------------------------------------------------------------- dashboards


class TileOut(Schema):
    key: str
    label: str
    value: float | None
    previous: float | None
    change: float | None
    is_rate: bool


class SeriesOut(Schema):
    label: str
    values: list[int]


class TrendOut(Schema):
    periods: list[str]
    series: list[SeriesOut]


class TimeOut(Schema):
    label: str
    resolved: int
    median_hours: float | None  # nearest rank, from the 4 % bands: within 2 % of exact (percentiles.py)
    p90_hours: float | None


class RankOut(Schema):
    id: int
    label: str
    created: int
    resolved: int
    rates: dict
    trend: list[float | None]


class HotSpotOut(Schema):
    label: str
    level: str
    count: int


class HistoryOut(Schema):
    appeal_id: int
    number: str
    created_at: datetime
    resolved_at: datetime | None


class RepeatOut(Schema):
    spot_id: int
    label: str
    repeats: int
    history: list[HistoryOut]


class SpikeOut(Schema):
    dimension: str
    id: int
    label: str
    week: date
    count: int
    mean: float
    threshold: float


class TopicOut(Schema):
    category: str
    count: int
    previous: int
    top_place: str


class HotlineOut(Schema):
    month: str
    in_shequ: int
    hotline: int
    community_matters: int
    community_matter_share: float | None


class CommunityHotlineOut(Schema):
    community_id: int
    community: str
    in_shequ: int
    hotline: int
    community_matters: int
    community_matter_share: float | None
    previous_hotline: int  # the previous period's 12345 orders
    hotline_by_month: list[int]  # the trend's months (`trend.periods`), oldest first


class DashboardOut(Schema):
    level: str
    area_id: int
    area: str
    month: str
    span: int
    kpis: list[TileOut]
    trend: TrendOut
    weekly_trend: TrendOut  # periods: ISO weeks (YYYY-Www, Monday–Sunday in Asia/Shanghai)
    times_by_category: list[TimeOut]
    times_by_party: list[TimeOut]
    parties: list[RankOut]
    communities: list[RankOut]
    categories: list[RankOut]
    hot_spots: list[HotSpotOut]
    repeats: list[RepeatOut]
    spikes: list[SpikeOut]
    topic: TopicOut | None
    hotline_vs_shequ: list[HotlineOut]
    hotline_by_community: list[CommunityHotlineOut]  # a street's dashboard: each community; else empty


def _rank(rows) -> list[dict]:
    return [
        {
            "id": r.key,
            "label": r.label,
            "created": r.created,
            "resolved": r.resolved,
            "rates": r.rates.as_dict(),
            "trend": r.trend,
        }
        for r in rows
    ]


def _dashboard_out(d: selectors.Dashboard) -> dict:
    return {
        "level": d.level,
        "area_id": d.area.pk,
        "area": d.area.name,
        "month": d.filters.month,
        "span": d.filters.span,
        "kpis": [
            {
                "key": t.key,
                "label": t.label,
                "value": t.value,
                "previous": t.previous,
                "change": t.change,
                "is_rate": t.is_rate,
            }
            for t in d.tiles
        ],
        "trend": {"periods": d.trend.periods, "series": [s.__dict__ for s in d.trend.series]},
        "weekly_trend": {"periods": d.weekly.periods, "series": [s.__dict__ for s in d.weekly.series]},
        "times_by_category": [t.__dict__ for t in d.times_by_category],
        "times_by_party": [t.__dict__ for t in d.times_by_party],
        "parties": _rank(d.parties),
        "communities": _rank(d.community_rows),
        "categories": _rank(d.categories),
        "hot_spots": [h.__dict__ for h in d.hot_spots],
        "repeats": [
            {
                "spot_id": r.spot_id,
                "label": r.label,
                "repeats": r.repeats,
                "history": [
                    {
                        "appeal_id": fa.appeal_id,
                        "number": r.numbers.get(fa.appeal_id, ""),
                        "created_at": fa.created_at,
                        "resolved_at": fa.resolved_at,
                    }
                    for fa in r.history
                ],
            }
            for r in d.repeats
        ],
        "spikes": [
            {
                "dimension": s.dimension,
                "id": s.key,
                "label": s.label,
                "week": s.week,
                "count": s.count,
                "mean": s.mean,
                "threshold": s.threshold,
            }
            for s in d.spikes
        ],
        "topic": d.topic.__dict__ if d.topic else None,
        "hotline_vs_shequ": [
            {
                "month": r.month,
                "in_shequ": r.in_shequ,
                "hotline": r.hotline,
                "community_matters": r.community_matters,
                "community_matter_share": r.matter_share,
            }
            for r in d.hotline
        ],
        "hotline_by_community": [
            {
                "community_id": r.community_id,
                "community": r.label,
                "in_shequ": r.in_shequ,
                "hotline": r.hotline,
                "community_matters": r.community_matters,
                "community_matter_share": r.matter_share,
                "previous_hotline": r.previous_hotline,
                "hotline_by_month": r.months,
            }
            for r in d.hotline_communities
        ],
    }


class DashboardQuery(Schema):
    month: str | None = None
    span: int = 1
    compound: int | None = None
    category: int | None = None
    party: int | None = None
    kind: str | None = None
    source: str | None = None


def _params(q: DashboardQuery) -> dict:
    return {k: v for k, v in q.dict().items() if v not in (None, "")}


@router.get(
    "/analytics/street",
    response={200: DashboardOut, **ERRORS},
    summary="街道数据看板 / A street leader's dashboard (street leaders and their observers)",
)
def street_dashboard(request: HttpRequest, q: Query[DashboardQuery], street: int | None = None):
    d = selectors.dashboard(user=request.user, level="street", area_id=street, params=_params(q))
    return _dashboard_out(d)


@router.get(
    "/analytics/community",
    response={200: DashboardOut, **ERRORS},
    summary="社区数据看板 / A community's dashboard (its leaders, and the street's)",
)
def community_dashboard(request: HttpRequest, q: Query[DashboardQuery], community: int | None = None):
    d = selectors.dashboard(user=request.user, level="community", area_id=community, params=_params(q))
    return _dashboard_out(d)


from shequ.analytics import hotline_api  # noqa: E402 — the 12345 exchange's endpoints, same tag

router.add_router("", hotline_api.router)
