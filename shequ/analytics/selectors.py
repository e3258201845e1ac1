"""Reads of analytics that pages and the API share: a party's scorecard and the league table."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from shequ.analytics.rates import Rates, party_rates, party_rates_by_month, place_rates, rank_key
from shequ.analytics.scope import parties_in_streets, viewer_street_ids
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
    first by composite, then the rest by their worst-case score (see `shequ.analytics.rates`)."""
    parties = parties_in_streets(
        Party.objects.filter(kind=check_league_kind(kind), is_active=True), viewer_street_ids(user=user)
    )
    if community_id:
        parties = parties.filter(Q(home_id=community_id) | Q(served__place_id=community_id)).distinct()
    found = list(parties.order_by("name"))
    rates = party_rates(party_ids=[p.pk for p in found], month=month)
    rows = [(p, rates[p.pk]) for p in found]
    rows.sort(key=lambda pr: rank_key(pr[1], pr[0].name))
    return rows


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
