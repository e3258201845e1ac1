"""Analytics pages: a party's scorecard (三率), the league table, the leaders' dashboards and their
Excel ledgers. Thin: parse, one selector, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shequ.analytics import rates, selectors
from shequ.core.errors import DomainError
from shequ.core.views import domain_errors
from shequ.directory.models import PartyKind


def _month(request: HttpRequest) -> str:
    month = request.GET.get("month") or rates.current_month()
    try:
        rates.month_bounds(month)
    except DomainError:
        return rates.current_month()
    return month


@login_required
@require_GET
@domain_errors
def party(request: HttpRequest, pk: int) -> HttpResponse:
    card = selectors.party_scorecard(party=selectors.access_party(party_id=pk), month=_month(request))
    return render(
        request,
        "analytics/party.html",
        {
            "party": card.party,
            "month": card.month,
            "rates": card.rates,
            "history": card.history,
            "overall": card.overall,
            "by_place": card.by_place,
            "weights": [round(w * 100) for w in rates.rate_weights()],
        },
    )


@login_required
@require_GET
def league(request: HttpRequest) -> HttpResponse:
    """Parties of one kind in the viewer's streets ranked by the fair composite."""
    kind = request.GET.get("kind") or PartyKind.PROPERTY_COMPANY
    if kind not in selectors.LEAGUE_KINDS:
        kind = PartyKind.PROPERTY_COMPANY
    month = _month(request)
    rows = selectors.party_league(user=request.user, kind=kind, month=month)
    kinds = [(k, label) for k, label in PartyKind.choices if k in selectors.LEAGUE_KINDS]
    return render(
        request,
        "analytics/league.html",
        {"rows": rows, "month": month, "kind": kind, "kinds": kinds, "min_rated": rates.min_rated()},
    )
