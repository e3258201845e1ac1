"""The staff workbench: the queue of my parties, filters, the selected appeal with its actions, bulk accept."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shequ.accounts.http import AuthedRequest
from shequ.appeals import exports, extensions, presenter, selectors, services
from shequ.appeals.access import StaffScope
from shequ.appeals.forms import (
    QueueFilterForm,
)
from shequ.appeals.views.common import is_htmx, require_staff, safe_next
from shequ.appeals.views.page import detail_context, load_appeal
from shequ.core import clock
from shequ.core.errors import DomainError
from shequ.core.pagination import PAGING, page_of, qs_without_page
from shequ.core.views import domain_errors, error_text
from shequ.core.xlsx import ledger_response
from shequ.directory.selectors import (
    compounds_served_by,
)

QUEUE_PAGE_SIZE = 25

# ---------------------------------------------------------------- staff workbench


def _queue_rows(request: AuthedRequest, scope: StaffScope):
    """The queue's filter form and rows: the page, its HTMX pane and the Excel ledger share them."""
    categories = selectors.categories(active_only=True)
    compounds = compounds_served_by(parties=scope.reading)
    form = QueueFilterForm(request.GET or None, categories=categories, compounds=compounds)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    status = data.get("status", "")
    qs = selectors.appeal_list(
        user=request.user,
        scope="assigned",
        status=None if status == "all" else (status or "open"),
        category=data.get("category") or None,
        compound_id=int(data["compound"]) if data.get("compound") else None,
        urgency=data.get("urgency") or None,
        overdue=True if data.get("overdue") else None,
        q=data.get("q") or None,
    )
    return form, qs


def _queue(request: AuthedRequest, scope: StaffScope):
    form, qs = _queue_rows(request, scope)
    now = clock.now()
    page = page_of(request, qs, QUEUE_PAGE_SIZE)
    page.object_list = presenter.present_all(list(page.object_list), user=request.user, now=now)
    return form, page


def _queue_context(request: AuthedRequest, scope: StaffScope) -> dict:
    form, page = _queue(request, scope)
    selected = request.GET.get("selected", "")
    return {
        "filter_form": form,
        "page": page,
        "can_act": scope.can_act,
        "may_file": scope.may_file,
        "parties": scope.reading,
        "qs": qs_without_page(request, (*PAGING, "selected", "pane")),
        "qs_with_page": qs_without_page(request, ("selected", "pane")),
        "queue_url": reverse("appeals:workbench_queue"),
        "workbench_links": extensions.workbench_links(),
        "selected_id": int(selected) if selected.isdigit() else None,
    }


@login_required
@domain_errors
def workbench(request: AuthedRequest) -> HttpResponse:
    """The staff workbench: my parties' queue, filters, the selected appeal with every action."""
    scope = require_staff(request.user)
    selected_raw = request.GET.get("selected", "")
    selected = None
    if selected_raw.isdigit():
        selected = load_appeal(request.user, int(selected_raw))
    back = reverse("appeals:workbench") + "?" + qs_without_page(request, ("pane",))
    if is_htmx(request) and request.GET.get("pane") and selected is not None:
        ctx = detail_context(request, selected, hx=True, next_url=back)
        return render(request, "appeals/_detail_body.html", ctx)
    ctx = _queue_context(request, scope)
    ctx["filters_active"] = any(
        request.GET.get(k) for k in ("status", "category", "compound", "urgency", "overdue", "q")
    )
    if selected is not None:
        ctx.update(detail_context(request, selected, hx=True, next_url=back))
        ctx["selected"] = ctx.pop("a")
    return render(request, "appeals/workbench.html", ctx)


@login_required
@domain_errors
def workbench_queue(request: AuthedRequest) -> HttpResponse:
    """Just the queue (#workbench-queue): htmx reloads it after an action or a live notification."""
    return render(request, "appeals/_queue.html", _queue_context(request, require_staff(request.user)))


@require_POST
@login_required
@domain_errors
def bulk_accept(request: AuthedRequest) -> HttpResponse:
    if not require_staff(request.user).can_act:
        raise PermissionDenied(_("你的角色只能查看，不能办理工单。"))
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()][:100]
    done, failed = 0, []
    for appeal_id in ids:
        try:
            appeal = selectors.access_appeal(user=request.user, appeal_id=appeal_id, for_action=True)
            services.appeal_transition(appeal=appeal, actor=request.user, action="accept")
            done += 1
        except DomainError as exc:
            failed.append(f"#{appeal_id} {error_text(exc)}")
    if done:
        messages.success(request, _("已签收 %(n)d 件。") % {"n": done})
    if failed:
        messages.error(request, _("以下工单未能签收：%(list)s") % {"list": "；".join(failed)})
    if not ids:
        messages.error(request, _("请先勾选工单。"))
    return HttpResponseRedirect(safe_next(request, reverse("appeals:workbench")))


@login_required
@require_GET
@domain_errors
def workbench_export(request: AuthedRequest) -> HttpResponseBase:
    """The queue as the page shows it (same filters, same order) as an Excel ledger."""
    scope = require_staff(request.user)
    _form, qs = _queue_rows(request, scope)
    now = clock.now()
    name = _("工单台账") + f"-{timezone.localtime(now):%Y%m%d-%H%M}.xlsx"
    return ledger_response([exports.queue_ledger(qs, now=now)], filename=name)
