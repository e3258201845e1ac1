"""Pages of micro-projects: list, propose, the project page with its public account, the books
(pledges, receipts, spending, milestones), receipts served through a permission check, Excel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts.selectors import user_roles
from shequ.core.errors import DomainError, Forbidden, Invalid, NotFound
from shequ.core.views import domain_errors, error_text
from shequ.core.xlsx import xlsx_response
from shequ.directory.models import Place
from shequ.projects import exports, selectors, services
from shequ.projects.models import Source


def _flash(request: HttpRequest, exc: DomainError) -> None:
    if isinstance(exc, Forbidden | NotFound):
        raise exc
    messages.error(request, error_text(exc))


def _proposing_parties(user) -> list:
    return [
        m.party
        for m in user_roles(user=user).memberships
        if m.party.kind in services.PROPOSING_KINDS and m.role in services.OFFICER_ROLES
    ]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    projects = list(selectors.projects_visible_to(user=request.user).order_by("-created_at")[:100])
    return render(
        request,
        "projects/index.html",
        {"projects": projects, "can_propose": bool(_proposing_parties(request.user))},
    )


@login_required
@domain_errors
def create(request: HttpRequest) -> HttpResponse:
    parties = _proposing_parties(request.user)
    if not parties:
        raise Forbidden("您不能申报小微项目。", "You may not propose a micro-project.")
    places = list(
        Place.objects.filter(served_by__party__in=parties).distinct().order_by("kind", "sort", "id")
    )
    if request.method == "POST":
        try:
            party = next((p for p in parties if str(p.pk) == request.POST.get("party")), None)
            place = next((p for p in places if str(p.pk) == request.POST.get("place")), None)
            if party is None or place is None:
                raise Invalid(
                    "请选择申报单位和地点。", "Choose the party and the place.", fields={"party": "required"}
                )
            project = services.project_create(
                actor=request.user,
                party=party,
                place=place,
                title=request.POST.get("title", ""),
                budget=request.POST.get("budget", ""),
                description=request.POST.get("description", ""),
            )
        except DomainError as exc:
            _flash(request, exc)
        else:
            return redirect("projects:detail", project.pk)
    return render(
        request, "projects/create.html", {"parties": parties, "places": places, "form": request.POST}
    )


@login_required
@domain_errors
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.access_project(user=request.user, project_id=pk)
    fundings, spendings, milestones = selectors.project_entries(project=project)
    manager = services.manager_party(project=project, user=request.user) is not None
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "account": selectors.project_account(project=project),
            "fundings": fundings,
            "spendings": spendings,
            "milestones": milestones,
            "progress": milestones[-1].progress if milestones else 0,
            "manager": manager and project.status in services.RECORDING,
            "approver": services.approver_party(project=project, user=request.user) is not None,
            "sources": Source.choices,
        },
    )


def _post(request: HttpRequest, pk: int, work) -> HttpResponse:
    project = selectors.access_project(user=request.user, project_id=pk)
    try:
        work(project)
    except DomainError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已保存。"))
    return redirect("projects:detail", pk)


@login_required
@require_POST
@domain_errors
def funding(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        lambda p: services.funding_pledge(
            project=p,
            actor=request.user,
            source=request.POST.get("source", ""),
            payer_name=request.POST.get("payer_name", ""),
            amount=request.POST.get("amount", ""),
        ),
    )


@login_required
@require_POST
@domain_errors
def receive(request: HttpRequest, pk: int, funding_id: int) -> HttpResponse:
    def work(p):
        row = p.fundings.filter(pk=funding_id).first()
        if row is None:
            raise NotFound("没有这笔资金。", "No such funding.")
        services.funding_receive(funding=row, actor=request.user, receipt=request.FILES.get("receipt"))

    return _post(request, pk, work)


@login_required
@require_POST
@domain_errors
def spending(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        lambda p: services.spending_record(
            project=p,
            actor=request.user,
            source=request.POST.get("source", ""),
            amount=request.POST.get("amount", ""),
            payee=request.POST.get("payee", ""),
            description=request.POST.get("description", ""),
            receipt=request.FILES.get("receipt"),
            spent_on=parse_date(request.POST.get("spent_on") or "") if request.POST.get("spent_on") else None,
        ),
    )


@login_required
@require_POST
@domain_errors
def milestone(request: HttpRequest, pk: int) -> HttpResponse:
    def work(p):
        try:
            progress = int(request.POST.get("progress") or "")
        except ValueError:
            raise Invalid(
                "进度应在0到100之间。", "Progress must be between 0 and 100.", fields={"progress": "range"}
            )
        services.milestone_add(
            project=p,
            actor=request.user,
            title=request.POST.get("title", ""),
            progress=progress,
            note=request.POST.get("note", ""),
            photo=request.FILES.get("photo"),
        )

    return _post(request, pk, work)


@login_required
@require_POST
@domain_errors
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    return _post(
        request,
        pk,
        lambda p: services.project_transition(
            project=p, actor=request.user, action=action, reason=request.POST.get("reason", "")
        ),
    )


@login_required
@domain_errors
def file(request: HttpRequest, pk: int, kind: str, row_id: int) -> HttpResponseBase:
    """Receipts and photos are public to those who may see the project's account (never a media URL)."""
    project = selectors.access_project(user=request.user, project_id=pk)
    models: dict[str, tuple[Any, str, str]] = {
        "funding": (project.fundings, "receipt", "receipt_type"),
        "spending": (project.spendings, "receipt", "receipt_type"),
        "milestone": (project.milestones, "photo", "photo_type"),
    }
    if kind not in models:
        raise NotFound("没有这个文件。", "No such file.")
    manager, field, type_field = models[kind]
    row = manager.filter(pk=row_id).first()
    stored = getattr(row, field, None) if row is not None else None
    if not stored:
        raise NotFound("没有这个文件。", "No such file.")
    response = FileResponse(
        stored.open("rb"), content_type=getattr(row, type_field) or "application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@domain_errors
def account_export(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.access_project(user=request.user, project_id=pk)
    fundings, spendings, _milestones = selectors.project_entries(project=project, limit=None)
    return xlsx_response(
        f"{project.title}-公开账目.xlsx",
        exports.account_sheets(project, selectors.project_account(project=project), fundings, spendings),
    )
