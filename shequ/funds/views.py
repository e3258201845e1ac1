"""Pages of the maintenance fund: my building's fund, an application's steps, the department's 待审批."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.errors import DomainError, Forbidden, Invalid, NotFound
from shequ.core.pagination import page_of, qs_without_page
from shequ.core.views import domain_errors, error_text
from shequ.decisions.exports import workbook_bytes
from shequ.decisions.models import Decision
from shequ.funds import selectors, services
from shequ.funds.models import EmergencyKind, FundAccount, FundEvent


def _flash(request: HttpRequest, exc: DomainError) -> None:
    if isinstance(exc, Forbidden | NotFound):
        raise exc
    messages.error(request, error_text(exc))


def yuan_to_fen(text: str) -> int:
    try:
        value = Decimal((text or "").replace(",", "").strip())
    except InvalidOperation:
        raise Invalid("金额不是数字。", "The amount is not a number.", fields={"amount": "无效"})
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise Invalid("金额最多两位小数。", "At most two decimals.", fields={"amount": "无效"})
    return int(value * 100)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    accounts = selectors.accounts_for(user=request.user)
    return render(
        request,
        "funds/index.html",
        {"accounts": accounts, "queue": list(selectors.review_queue(user=request.user)[:20])},
    )


@login_required
def review(request: HttpRequest) -> HttpResponse:
    """The department's workbench block: applications waiting for its approval."""
    page = page_of(request, selectors.review_queue(user=request.user), 50)
    return render(
        request, "funds/review.html", {"queue": page.items, "page": page, "qs": qs_without_page(request)}
    )


def _account(request: HttpRequest, pk: int) -> FundAccount:
    account = get_object_or_404(FundAccount.objects.select_related("place"), pk=pk)
    if (
        not request.user.is_superuser
        and not selectors.accounts_for(user=request.user).filter(pk=account.pk).exists()
    ):
        raise Http404
    return account


@login_required
def account(request: HttpRequest, pk: int) -> HttpResponse:
    acc = _account(request, pk)
    shares = selectors.account_shares(account=acc)
    mine = [s for s in shares if request.user.pk in s.owner_user_ids]
    return render(
        request,
        "funds/account.html",
        {
            "account": acc,
            "mine": mine,
            "households": len(shares),
            "ledger": list(acc.ledger.order_by("-at", "-id")[:50]),
            "applications": list(selectors.applications_for(account=acc)),
        },
    )


@login_required
def ledger_export(request: HttpRequest, pk: int) -> HttpResponse:
    acc = _account(request, pk)
    rows: list[list] = [["时间", "类型", "金额（元）", "余额（元）", "摘要"]]
    for e in acc.ledger.order_by("at", "id"):
        rows.append(
            [
                e.at.strftime("%Y-%m-%d %H:%M"),
                e.get_kind_display(),
                str(Decimal(e.amount_fen) / 100),
                str(Decimal(e.balance_after_fen) / 100),
                e.note,
            ]
        )
    shares = [["专有部分", "面积（㎡）", "分户余额（元）"]] + [
        [s.label, s.area, str(Decimal(s.fen) / 100)] for s in selectors.account_shares(account=acc)
    ]
    response = HttpResponse(
        workbook_bytes([("台账", rows), ("分户", shares)]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="fund-{acc.pk}.xlsx"'
    return response


@login_required
@domain_errors
def application(request: HttpRequest, pk: int) -> HttpResponse:
    app = selectors.access_application(user=request.user, application_id=pk)
    split = selectors.cost_split(application=app)
    organiser = selectors.acts_as_organiser(user=request.user, party_id=app.organiser_id)
    return render(
        request,
        "funds/application.html",
        {
            "app": app,
            "events": list(app.events.select_related("actor")),
            "split": split if organiser or request.user.is_superuser else [],
            "mine": [s for s in split if request.user.pk in s.owner_user_ids],
            "households": len(split),
            "organiser": organiser,
            "department": app.department_id
            in {p.pk for p in selectors.department_parties(user=request.user)},
            "decisions": Decision.objects.filter(
                compound_id=app.account.place.compound_id,
                matter="use_fund",
                status="closed",
                outcome="passed",
            )
            if organiser
            else [],
            "emergencies": EmergencyKind.choices,
        },
    )


@login_required
@require_POST
@domain_errors
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    app = selectors.access_application(user=request.user, application_id=pk)
    p, doc = request.POST, request.FILES.get("document")
    try:
        if action == "decision":
            decision = get_object_or_404(Decision, pk=p.get("decision") or 0)
            services.application_link_decision(actor=request.user, application=app, decision=decision)
        elif action == "emergency":
            services.application_emergency(
                actor=request.user,
                application=app,
                kind=p.get("kind", ""),
                reason=p.get("reason", ""),
                document=doc,
            )
        elif action == "quote":
            services.application_quote(
                actor=request.user,
                application=app,
                amount_fen=yuan_to_fen(p.get("amount", "")),
                document=doc,
                note=p.get("note", ""),
            )
        elif action == "submit":
            services.application_submit(actor=request.user, application=app)
        elif action in ("approve", "reject"):
            services.application_review(
                actor=request.user, application=app, approve=action == "approve", reason=p.get("reason", "")
            )
        elif action == "pay":
            services.application_pay(
                actor=request.user,
                application=app,
                amount_fen=yuan_to_fen(p.get("amount", "")),
                payee=p.get("payee", ""),
                document=doc,
            )
        elif action == "accept":
            services.application_accept(
                actor=request.user, application=app, document=doc, note=p.get("note", "")
            )
        else:
            raise Http404
        messages.success(request, _("已记录。"))
    except DomainError as exc:
        _flash(request, exc)
    return redirect("funds:application", pk=pk)


@login_required
def document(request: HttpRequest, event_id: int) -> FileResponse:
    event = get_object_or_404(FundEvent.objects.select_related("application__account__place"), pk=event_id)
    if not event.document or not selectors.may_see(user=request.user, application=event.application):
        raise Http404
    return FileResponse(event.document.open("rb"))
