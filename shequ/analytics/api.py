"""API of analytics: a party's rates, the league table and (below) every dashboard figure."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from shequ.analytics import selectors
from shequ.analytics.rates import party_rates
from shequ.appeals.api import ERRORS  # the one error schema of the API

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
    response={200: list[LeagueRowOut], **ERRORS},
    summary="排行 / The league table of one party kind in the viewer's streets",
)
def league(request: HttpRequest, kind: str = "property_company", month: str | None = None):
    rows = selectors.party_league(user=request.user, kind=kind, month=month)
    return [{"rank": i, "party_id": p.pk, "party": p.name, **r.as_dict()} for i, (p, r) in enumerate(rows, 1)]
