"""Supervision pages: the escalated queue of each ladder level, a
department's summonses (报到), blowing the whistle, assigning a helper company, the public whistle board."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shequ.appeals.selectors import access_appeal
from shequ.appeals.services import appeal_transition, fee_waiver_eligible, helper_company_choices
from shequ.core.errors import DomainError, NotFound
from shequ.core.views import domain_errors, error_text
from shequ.directory.models import Party, PartyKind
from shequ.supervision import selectors, services
from shequ.supervision.models import Summons, WhistleKind


def _appeal_url(appeal_id: int) -> str:
    return reverse("appeals:detail", args=[appeal_id])


@login_required
@require_GET
def escalated(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.escalated_appeals(user=request.user)[:200])
    template = (
        "supervision/_escalated_rows.html"
        if request.headers.get("HX-Request")
        else "supervision/escalated.html"
    )
    return render(request, template, {"rows": rows})


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
    if (
        services._acting_party_of_kinds(actor=request.user, appeal=appeal, kinds=services.WHISTLE_KINDS)
        is None
    ):
        from shequ.core.errors import Forbidden  # noqa: PLC0415

        raise Forbidden("只有社区党组织、居委会或街道可以吹哨。", "Only the community may blow the whistle.")
    departments = list(
        Party.objects.filter(kind__in=services.SUMMONABLE_KINDS, is_active=True).order_by("kind", "name")
    )
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
    if (
        services._acting_party_of_kinds(
            actor=request.user, appeal=appeal, kinds=(PartyKind.ENV_PROPERTY_COMMITTEE,)
        )
        is None
    ):
        from shequ.core.errors import Forbidden  # noqa: PLC0415

        raise Forbidden(
            "只有环物会可以安排大手拉小手。", "Only the environment-and-property committee may do this."
        )
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
            "companies": helper_company_choices(appeal=appeal),
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
