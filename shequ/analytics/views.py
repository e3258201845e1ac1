"""Analytics pages: a party's scorecard (三率), the league table, the leaders' dashboards and their
Excel ledgers. Thin: parse, one selector, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from shequ.analytics import charts, hotline_rows, ledgers, rates, selectors
from shequ.analytics import hotline as hotline_svc
from shequ.analytics.dashboards import REPEAT_DAYS, SPANS, SPIKE_MIN, SPIKE_SIGMAS, SPIKE_WEEKS
from shequ.appeals.models import Kind, Source
from shequ.core.errors import DomainError, Invalid
from shequ.core.views import domain_errors, error_text
from shequ.core.widgets import month_choices
from shequ.core.xlsx import ledger_response
from shequ.directory.models import PartyKind

MONTHS_LISTED = 24  # the month lists offer the last two years (and a month asked for outside them)


def _months(month: str) -> list[tuple[str, str]]:
    return month_choices(rates.recent_months(MONTHS_LISTED), selected=month)


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
            "months": _months(card.month),
            "rates": card.rates,
            "history": card.history,
            "overall": card.overall,
            "by_place": card.by_place,
            "weights": [round(w * 100) for w in rates.rate_weights()],
        },
    )


def _league_rows(request: HttpRequest) -> tuple[str, str, int | None, list]:
    """The league table's filters (kind, month, community) and its rows: one reading for page and ledger."""
    kind = request.GET.get("kind") or PartyKind.PROPERTY_COMPANY
    if kind not in selectors.LEAGUE_KINDS:
        kind = PartyKind.PROPERTY_COMPANY
    month = _month(request)
    community_id = _community_param(request.GET.get("community"))
    rows = selectors.party_league(user=request.user, kind=kind, month=month, community_id=community_id)
    return kind, month, community_id, rows


@login_required
@require_GET
@domain_errors
def league(request: HttpRequest) -> HttpResponse:
    """Parties of one kind in the viewer's streets ranked by the fair composite; a leader may narrow it
    to one of the communities they lead (the picker lists exactly those)."""
    try:
        kind, month, community_id, rows = _league_rows(request)
    except Invalid as exc:
        return render(request, "analytics/bad_filters.html", {"error": error_text(exc)}, status=422)
    kinds = [(k, label) for k, label in PartyKind.choices if k in selectors.LEAGUE_KINDS]
    query = {"kind": kind, "month": month, **({"community": community_id} if community_id else {})}
    return render(
        request,
        "analytics/league.html",
        {
            "rows": rows,
            "month": month,
            "months": _months(month),
            "kind": kind,
            "kinds": kinds,
            "community_id": community_id,
            "communities": selectors.league_communities(user=request.user),
            "export_query": urlencode(query),
            "min_rated": rates.min_rated(),
        },
    )


@login_required
@require_GET
@domain_errors
def league_export(request: HttpRequest) -> HttpResponseBase:
    """The league table as an Excel ledger: the page's filters, rows and 样本不足 rule."""
    try:
        kind, month, community_id, rows = _league_rows(request)
    except Invalid as exc:
        return render(request, "analytics/bad_filters.html", {"error": error_text(exc)}, status=422)
    suffix = f"-{community_id}" if community_id else ""
    return ledger_response(
        [ledgers.league_sheet(rows)], filename=f"{gettext('三率排行')}-{kind}-{month}{suffix}.xlsx"
    )


def _community_param(value: str | None) -> int | None:
    """The league's community id: a number, or a zh/en 422 (not a 404: the page exists)."""
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise Invalid(
            "社区编号无效。", "community is invalid.", code="filter_invalid", fields={"community": "invalid"}
        )


def _area_id(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name)
    try:
        return int(value) if value else None
    except ValueError:
        raise Http404


def _dashboard(request: HttpRequest, level: str) -> HttpResponse:
    area_name = "street" if level == "street" else "community"
    try:
        d = selectors.dashboard(
            user=request.user, level=level, area_id=_area_id(request, area_name), params=request.GET
        )
    except Invalid as exc:
        return render(request, "analytics/bad_filters.html", {"error": error_text(exc)}, status=422)
    query = d.filters.as_query()
    return render(
        request,
        "analytics/dashboard.html",
        {
            "d": d,
            "choices": selectors.dashboard_choices(area=d.area, level=level),
            "query": urlencode({**query, area_name: d.area.pk}),
            "export_url": reverse(f"analytics:{level}_export"),
            "spans": SPANS,
            "months": _months(d.filters.month),
            "kinds": Kind.choices,
            "sources": Source.choices,
            "trend_chart": charts.stacked_bars(
                title=gettext("每月新增诉求（按分类）"),
                labels=d.trend.periods,
                series=[(s.label, s.values) for s in d.trend.series],
            ),
            "weekly_chart": charts.stacked_bars(
                title=gettext("每周新增诉求（按分类）"),
                labels=d.weekly.periods,
                series=[(s.label, s.values) for s in d.weekly.series],
            ),
            "hotline_chart": charts.stacked_bars(
                title=gettext("社区内反映与12345工单"),
                labels=[r.month for r in d.hotline],
                series=[
                    (gettext("社区内反映"), [r.in_shequ for r in d.hotline]),
                    (gettext("12345工单"), [r.hotline for r in d.hotline]),
                ],
            ),
            "rules": {
                "spike_weeks": SPIKE_WEEKS,
                "spike_sigmas": SPIKE_SIGMAS,
                "spike_min": SPIKE_MIN,
                "repeat_days": REPEAT_DAYS,
                "min_rated": rates.min_rated(),
            },
        },
    )


@login_required
@require_GET
@domain_errors
def street_dashboard(request: HttpRequest) -> HttpResponse:
    """A street leader's dashboard: every community of the street, compared."""
    return _dashboard(request, "street")


@login_required
@require_GET
@domain_errors
def community_dashboard(request: HttpRequest) -> HttpResponse:
    """A community leader's dashboard (street leaders may open each of their communities)."""
    return _dashboard(request, "community")


def _export(request: HttpRequest, level: str) -> HttpResponseBase:
    table = request.GET.get("table") or "appeals"
    if table not in ledgers.TABLES:
        raise Http404
    area_name = "street" if level == "street" else "community"
    try:
        if table == "appeals":
            area, f = selectors.dashboard_filters(
                user=request.user, level=level, area_id=_area_id(request, area_name), params=request.GET
            )
            sheet = ledgers.appeals_sheet(f)
        else:
            d = selectors.dashboard(
                user=request.user, level=level, area_id=_area_id(request, area_name), params=request.GET
            )
            area, f = d.area, d.filters
            sheet = ledgers.dashboard_sheet(d, table)
    except Invalid as exc:
        return render(request, "analytics/bad_filters.html", {"error": error_text(exc)}, status=422)
    name = f"{area.name}-{sheet.title}-{f.month}-{f.span}m.xlsx"
    return ledger_response([sheet], filename=name)


@login_required
@require_GET
@domain_errors
def street_export(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "street")


@login_required
@require_GET
@domain_errors
def community_export(request: HttpRequest) -> HttpResponseBase:
    return _export(request, "community")


# ---------------------------------------------------------------- the 12345 hotline exchange


@login_required
@domain_errors
def hotline(request: HttpRequest) -> HttpResponse:
    """Import a 12345 file (with the remembered column mapping), see the orders and the unmatched queue."""
    area = hotline_svc.access_hotline_area(user=request.user, area_id=_area_id(request, "area"))
    batch = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            batch_error = gettext("请选择要导入的文件。")
            return _hotline_page(request, area, error=batch_error, status=422)
        mapping = {k: request.POST.get(f"col_{k}", "") for k in hotline_rows.FIELDS}
        batch = hotline_svc.hotline_import(
            actor=request.user, area=area, data=upload.read(), filename=upload.name or "", mapping=mapping
        )
        return _hotline_page(request, area, batch=batch, status=200 if batch.ok else 422)
    return _hotline_page(request, area)


def _hotline_page(
    request: HttpRequest, area, *, batch=None, error: str = "", status: int = 200
) -> HttpResponse:
    orders = hotline_svc.hotline_orders(area=area)
    remembered = hotline_svc.remembered_mapping(area=area)
    return render(
        request,
        "analytics/hotline.html",
        {
            "area": area,
            "areas": hotline_svc.hotline_areas(user=request.user),
            "batch": batch,
            "error": error,
            "fields": [(k, hotline_rows.LABELS[k], remembered.get(k, "")) for k in hotline_rows.FIELDS],
            "required": hotline_rows.REQUIRED,
            "orders": hotline_svc.order_views(orders.filter(appeal__isnull=False)[:50], full=True),
            "unfiled": hotline_svc.order_views(orders.filter(appeal__isnull=True)[:50], full=True),
            "communities": hotline_svc.area_communities(area=area),
            "format": hotline_svc.last_format(area=area),
        },
        status=status,
    )


@login_required
@require_POST
@domain_errors
def hotline_assign(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        order = hotline_svc.hotline_order_assign(
            actor=request.user, order_id=pk, community_id=int(request.POST.get("community") or 0)
        )
    except (Invalid, ValueError) as exc:
        messages.error(request, error_text(exc) if isinstance(exc, Invalid) else gettext("请选择社区。"))
        return redirect(reverse("analytics:hotline"))
    messages.success(request, gettext("已分派到社区，等待居委会派单。"))
    return redirect(reverse("analytics:hotline") + f"?area={order.area_id}")


@login_required
@require_GET
@domain_errors
def hotline_export(request: HttpRequest) -> HttpResponse:
    area = hotline_svc.access_hotline_area(user=request.user, area_id=_area_id(request, "area"))
    fmt = request.GET.get("format") or hotline_svc.last_format(area=area)
    try:
        data, content_type = hotline_svc.hotline_export(area=area, file_format=fmt)
    except Invalid as exc:
        return render(request, "analytics/bad_filters.html", {"error": error_text(exc)}, status=422)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="12345-reply-{area.pk}.{fmt}"'
    return response
