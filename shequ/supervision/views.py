"""Supervision pages: the escalated queue of each ladder level, a
department's summonses (报到), blowing the whistle, assigning a helper company, the public whistle board."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shequ.accounts.http import AuthedRequest
from shequ.accounts.selectors import user_roles
from shequ.appeals.exports import queue_ledger
from shequ.appeals.selectors import access_appeal
from shequ.appeals.services import appeal_transition, fee_waiver_eligible
from shequ.core import clock
from shequ.core.errors import DomainError, NotFound
from shequ.core.pagination import page_of, qs_without_page
from shequ.core.views import domain_errors, error_text
from shequ.core.xlsx import ledger_response
from shequ.supervision import selectors, services
from shequ.supervision.models import Summons, WhistleKind

ESCALATED_PAGE_SIZE = 50
# What a row of the escalated queue shows (supervision/_escalated_rows.html), and the order's columns.
ESCALATED_ROW = (
    "number",
    "status",
    "kind",
    "escalation_level",
    "accept_due_at",
    "category__name",
    "responsible_party__name",
    "first_party__name",
    "escalated_to__name",
)


def _appeal_url(appeal_id: int) -> str:
    return reverse("appeals:detail", args=[appeal_id])


@login_required
@require_GET
def escalated(request: AuthedRequest) -> HttpResponse:
    my_ids = user_roles(user=request.user).party_ids
    if not my_ids:
        # residents have no escalations: back to their own home, not an empty staff page
        return redirect("portal:home")
    # A keyset page (core.pagination) in the queue's order, through appeal_escalated_queue: ids first,
    # then the page's rows with the few columns the rows show.
    qs = (
        selectors.escalated_appeals(user=request.user)
        .select_related(None)
        .select_related("category", "responsible_party", "first_party", "escalated_to")
        .only(*ESCALATED_ROW)
    )
    page = page_of(request, qs, ESCALATED_PAGE_SIZE)
    rows = page.object_list
    for a in rows:
        a.climbed_past_me = a.escalated_to_id not in my_ids  # a display flag
    template = (
        "supervision/_escalated_rows.html"
        if request.headers.get("HX-Request")
        else "supervision/escalated.html"
    )
    return render(request, template, {"rows": rows, "page": page, "qs": qs_without_page(request)})


@login_required
@require_GET
def escalated_export(request: AuthedRequest) -> HttpResponseBase:
    """The escalated list as an Excel ledger (升级督办台账): the open appeals escalated to the viewer's
    parties — the page's list, in its order — with the ladder level and the first party."""
    if not user_roles(user=request.user).party_ids:
        raise PermissionDenied
    now = clock.now()
    qs = selectors.escalated_appeals(user=request.user).select_related(None)
    name = _("升级督办台账") + f"-{timezone.localtime(now):%Y%m%d-%H%M}.xlsx"
    return ledger_response([queue_ledger(qs, now=now, escalation=True)], filename=name)


@login_required
@require_GET
def summonses(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.summonses_for(user=request.user)[:200])
    return render(request, "supervision/summonses.html", {"rows": rows})


@login_required
@require_POST
@domain_errors
def summons_act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in ("report_in", "report_back"):
        raise NotFound("没有这个操作。", "Unknown action.")
    if not Summons.objects.filter(pk=pk).exists():
        raise NotFound("没有找到这次召集。", "Summons not found.")
    try:
        if step == "report_in":
            services.summons_report_in(summons_id=pk, actor=request.user, text=request.POST.get("text", ""))
            messages.success(request, _("已报到，报到时间已公开。"))
        else:
            services.summons_report_back(summons_id=pk, actor=request.user, text=request.POST.get("text", ""))
            messages.success(request, _("处置情况已反馈。"))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, error_text(exc))
    return redirect("supervision:summonses")


@login_required
@domain_errors
def whistle(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = access_appeal(user=request.user, appeal_id=appeal_id)
    services.check_may_choose(actor=request.user, appeal=appeal, rule="whistle")
    departments = services.whistle_department_choices(appeal=appeal).near
    error = ""
    chosen: list[str] = []
    if request.method == "POST":
        chosen = request.POST.getlist("departments")
        try:
            services.whistle_blow(
                appeal=appeal,
                actor=request.user,
                kind=request.POST.get("kind", ""),
                departments=chosen,
                reason=request.POST.get("reason", ""),
            )
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            error = error_text(exc)
        else:
            messages.success(request, _("已吹哨，被召集部门会收到通知。"))
            return redirect(_appeal_url(appeal.pk))
    return render(
        request,
        "supervision/whistle.html",
        {
            "appeal": appeal,
            "departments": departments,
            "kinds": WhistleKind.choices,
            "error": error,
            "chosen": chosen,
            "post": request.POST,
        },
        status=422 if error else 200,
    )


@login_required
@domain_errors
def helper(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = access_appeal(user=request.user, appeal_id=appeal_id)
    services.check_may_choose(actor=request.user, appeal=appeal, rule="helper")
    error = ""
    if request.method == "POST":
        waived = {"auto": None, "yes": True, "no": False}.get(request.POST.get("fee_waived", "auto"))
        try:
            appeal_transition(
                appeal=appeal,
                actor=request.user,
                action="assign_helper",
                company=request.POST.get("company") or 0,
                fee_waived=waived,
                note=request.POST.get("note", ""),
            )
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            error = error_text(exc)
        else:
            messages.success(request, _("已安排协助企业，首接主体仍然负责。"))
            return redirect(_appeal_url(appeal.pk))
    return render(
        request,
        "supervision/helper.html",
        {
            "appeal": appeal,
            "choices": services.helper_company_choices(appeal=appeal),
            "chosen": request.POST.get("company", ""),
            "error": error,
            "eligible": fee_waiver_eligible(user=appeal.reporter),
        },
        status=422 if error else 200,
    )


@login_required
@require_GET
@domain_errors
def board(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The public whistle board of an appeal (a fragment the appeal page can include with htmx)."""
    appeal = access_appeal(user=request.user, appeal_id=appeal_id)
    template = "supervision/_board.html" if request.headers.get("HX-Request") else "supervision/board.html"
    return render(
        request,
        template,
        {
            "appeal": appeal,
            "board": selectors.whistle_board(appeal=appeal),
            "links": selectors.supervision_links(appeal=appeal, user=request.user),
        },
    )
