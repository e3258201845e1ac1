"""Reads of analytics that pages, exports and the API share: a party's scorecard, the league table and
the leaders' dashboards."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from shequ.analytics.dashboards import (
    AreaMonths,
    CommunityHotline,
    Filters,
    HotlineRow,
    HotSpot,
    MonthlyTopic,
    RankRow,
    RepeatProblem,
    Spike,
    Tile,
    TimeRow,
    Trend,
    category_ranking,
    community_ranking,
    hot_spots,
    hotline_by_community,
    hotline_vs_shequ,
    kpi_tiles,
    monthly_topic,
    parse_filters,
    party_names,
    party_ranking,
    party_totals,
    period_quantiles,
    place_counts,
    place_labels,
    rank_places,
    repeat_found,
    repeat_problems,
    resolution_times_both,
    spikes,
    street_communities,
    topic_pick,
    volume_trend,
    weekly_trend,
)
from shequ.analytics.rates import (
    Rates,
    current_month,
    party_rates,
    party_rates_by_month,
    place_rates,
    rank_key,
    recent_months,
)
from shequ.analytics.scope import (
    access_community,
    access_street,
    leader_communities,
    parties_in_streets,
    viewer_street_ids,
)
from shequ.appeals.models import Category
from shequ.core import clock
from shequ.core.errors import Invalid, NotFound
from shequ.directory.models import Party, PartyKind, Place, PlaceKind
from shequ.directory.selectors import party_place_ids

LEAGUE_KINDS = (
    PartyKind.PROPERTY_COMPANY,
    PartyKind.RESIDENTS_COMMITTEE,
    PartyKind.ENV_PROPERTY_COMMITTEE,
    PartyKind.MUTUAL_AID_STATION,
    PartyKind.DEPARTMENT,
    PartyKind.POLICE_STATION,
    PartyKind.FAMILY_DOCTOR_TEAM,
)


def access_party(*, party_id: int) -> Party:
    party = Party.objects.select_related("home").filter(pk=party_id, is_active=True).first()
    if party is None:
        raise NotFound("没有找到这个主体。", "Party not found.")
    return party


def check_league_kind(kind: str) -> str:
    if kind not in LEAGUE_KINDS:
        raise Invalid(
            "没有这种主体类型。", "Unknown party kind.", code="kind_invalid", fields={"kind": "invalid"}
        )
    return kind


def party_league(
    *, user, kind: str, month: str | None = None, community_id: int | None = None
) -> list[tuple[Party, Rates]]:
    """The active parties of a kind in the viewer's streets with their rates: those with enough ratings
    first by composite, then the rest by their worst-case score (see `shequ.analytics.rates`).

    `community_id` narrows the table to the parties at home in, serving, or under contract in that
    community — one the viewer leads (the dashboards' rule, `scope.access_community`: a community leader
    their own, a street leader their street's; anyone else is refused with 403/404, zh + en)."""
    kind = check_league_kind(kind)
    if community_id:
        access_community(user=user, community_id=community_id)
    parties = parties_in_streets(
        Party.objects.filter(kind=kind, is_active=True), viewer_street_ids(user=user)
    )
    if community_id:
        parties = parties.filter(
            Q(home_id=community_id)
            | Q(served__place_id=community_id)
            | Q(served__place__community_id=community_id)
            | Q(contracts__places__community_id=community_id)
        ).distinct()
    found = list(parties.order_by("name"))
    rates = party_rates(party_ids=[p.pk for p in found], month=month)
    rows = [(p, rates[p.pk]) for p in found]
    rows.sort(key=lambda pr: rank_key(pr[1], pr[0].name))
    return rows


def league_communities(*, user) -> list[Place]:
    """The league page's community picker: the communities the viewer leads (`scope.leader_communities`)."""
    return leader_communities(user=user)


def party_compounds(*, party: Party, limit: int = 50) -> list[Place]:
    """Compounds a party serves (its contracts for a property company), for per-place rates."""
    ids = party_place_ids(party=party)
    if not ids:
        return []
    column = "compound_id__in" if party.kind == PartyKind.PROPERTY_COMPANY else "community_id__in"
    return list(
        Place.objects.filter(Q(pk__in=ids) | Q(**{column: ids}), kind=PlaceKind.COMPOUND)
        .distinct()
        .order_by("name")[:limit]
    )


@dataclass
class Scorecard:
    party: Party
    month: str
    rates: Rates
    history: list[Rates]
    overall: Rates
    by_place: list[tuple[Place, Rates]]


def party_scorecard(*, party: Party, month: str) -> Scorecard:
    rates = party_rates(party_ids=[party.pk], month=month)[party.pk]
    history = list(reversed(party_rates_by_month(party_id=party.pk, months=6, upto=month)))
    overall = party_rates(party_ids=[party.pk])[party.pk]
    places = party_compounds(party=party)
    by_place = place_rates(place_ids=[c.pk for c in places], month=month, party_id=party.pk)
    return Scorecard(
        party=party,
        month=month,
        rates=rates,
        history=history,
        overall=overall,
        by_place=[(c, by_place[c.pk]) for c in places],
    )


# ---------------------------------------------------------------- dashboards


@dataclass
class Dashboard:
    level: str  # street | community
    area: Place
    filters: Filters
    communities: list[Place]
    tiles: list[Tile]
    trend: Trend
    weekly: Trend  # per ISO week, from the day rows (`weeks.weekly_trend`)
    times_by_category: list[TimeRow]
    times_by_party: list[TimeRow]
    parties: list[RankRow]
    community_rows: list[RankRow]
    categories: list[RankRow]
    hot_spots: list[HotSpot]
    repeats: list[RepeatProblem]
    spikes: list[Spike]
    topic: MonthlyTopic | None
    hotline: list[HotlineRow]
    hotline_communities: list[CommunityHotline]  # a street's page only


def dashboard_filters(*, user, level: str, area_id: int | None, params: dict) -> tuple[Place, Filters]:
    """Check the viewer may see the area (street leaders their street, community leaders their
    community, observers read) and parse the shared filters."""
    month = params.get("month") or default_month()
    parsed = parse_filters(
        month=month,
        span=params.get("span"),
        compound=params.get("compound"),
        category=params.get("category"),
        party=params.get("party"),
        kind=params.get("kind"),
        source=params.get("source"),
    )
    if level == "street":
        area = access_street(user=user, street_id=area_id)
        return area, Filters(street_id=area.pk, **parsed)
    area = access_community(user=user, community_id=area_id)
    return area, Filters(street_id=area.street_id, community_id=area.pk, **parsed)


def default_month() -> str:
    """The month a dashboard opens on: this month, or last month in the first week of a month."""
    today = clock.now().astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    return current_month() if today.day > 7 else recent_months(2)[0]


def dashboard(*, user, level: str, area_id: int | None, params: dict) -> Dashboard:
    """Every figure of a dashboard in a fixed number of queries, whatever the history (pinned in
    `tests/test_percentiles.py`): each table reads a rollup table once, tables reading the same one share
    the read (`AreaMonths`: one grouped query of the month rows for the tiles, trend, rankings, 每月一题
    and the hotline measure), and names are looked up once for all tables (parties, places)."""
    area, f = dashboard_filters(user=user, level=level, area_id=area_id, params=params)
    months = AreaMonths(f)
    tiles = kpi_tiles(f, months)  # brings the rollups up to date first
    quantiles = period_quantiles(f)  # one read of the month histograms
    by_party = party_totals(f, months)
    names = party_names(set(quantiles[1]) | set(by_party[0]))
    times_by_category, times_by_party = resolution_times_both(f, quantiles=quantiles, names=names)
    counts = place_counts(f)  # one read of the facts for the hot spots and 每月一题
    hot = rank_places(counts)
    pick = topic_pick(f, months, counts)
    repeats = repeat_found(f)
    ranked = [hot, pick.ranking] if pick else [hot]
    labels = place_labels(  # the spots and buildings of the three tables named in two queries
        spot_ids=[k for r in ranked for k, _n in r.spots] + [spot for spot, _n, _h in repeats],
        building_ids=[k for r in ranked for k, _n in r.buildings],
        compound_ids=[k for k, _n in hot.compounds],
    )
    communities = street_communities(area.pk) if level == "street" else [area]
    return Dashboard(
        level=level,
        area=area,
        filters=f,
        communities=communities,
        tiles=tiles,
        trend=volume_trend(f, area=months),
        weekly=weekly_trend(f),
        times_by_category=times_by_category,
        times_by_party=times_by_party[:15],
        parties=party_ranking(f, months, names=names, totals=by_party),
        community_rows=community_ranking(f, months, communities=communities) if level == "street" else [],
        categories=category_ranking(f, months),
        hot_spots=hot_spots(f, ranking=hot, labels=labels),
        repeats=repeat_problems(f, found=repeats, labels=labels),
        spikes=spikes(street_id=f.street_id if level == "street" else None, community_id=f.community_id),
        topic=monthly_topic(f, months, pick=pick, labels=labels),
        hotline=hotline_vs_shequ(f, months),
        hotline_communities=hotline_by_community(f, months, communities=communities)
        if level == "street"
        else [],
    )


def dashboard_choices(*, area: Place, level: str) -> dict:
    """The filter choices of a dashboard: compounds of the area, top-level categories, parties."""
    column = "street_id" if level == "street" else "community_id"
    return {
        "compounds": list(
            Place.objects.filter(kind=PlaceKind.COMPOUND, **{column: area.pk}).order_by("name")[:200]
        ),
        "categories": list(Category.objects.filter(parent__isnull=True, is_active=True).order_by("sort")),
        "parties": list(
            parties_in_streets(
                Party.objects.filter(is_active=True, kind__in=LEAGUE_KINDS),
                {area.pk if level == "street" else area.street_id or 0},
            ).order_by("kind", "name")[:200]
        ),
    }
