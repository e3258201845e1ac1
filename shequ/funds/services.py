"""Writes of the maintenance fund: deposits, applications and their one transition function, payments.

Money is integer fen. Each step of an application is a `FundEvent` (with its document where one belongs),
and the owners concerned are told in their inbox after commit.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.urls import reverse

from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.decisions.models import Decision, DecisionStatus, Matter, Outcome
from shequ.decisions.rules import check_organiser, department_parties
from shequ.decisions.uploads import check_document
from shequ.directory.models import Party, PartyKind, Place, PlaceKind
from shequ.funds.models import (
    ApplicationStatus as S,
)
from shequ.funds.models import (
    EmergencyKind,
    FundAccount,
    FundApplication,
    FundEvent,
    LedgerEntry,
    LedgerKind,
)
from shequ.notifications.services import notify

ALLOWED = {
    S.PROPOSED: {S.DECIDED, S.EMERGENCY},
    S.DECIDED: {S.QUOTED},
    S.EMERGENCY: {S.QUOTED},
    S.QUOTED: {S.SUBMITTED},
    S.SUBMITTED: {S.APPROVED, S.REJECTED},
    S.REJECTED: {S.QUOTED},
    S.APPROVED: {S.PAID},
    S.PAID: {S.ACCEPTED},
    S.ACCEPTED: set(),
}


def application_url(application: FundApplication) -> str:
    return reverse("funds:application", args=[application.pk])


def _owners_concerned(application: FundApplication) -> list[int]:
    from shequ.funds.selectors import beneficiary_units  # noqa: PLC0415

    return list(
        beneficiary_units(application=application)
        .filter(ownerships__owner__user__isnull=False)
        .values_list("ownerships__owner__user_id", flat=True)
        .distinct()
    )


def _transition(
    *,
    application: FundApplication,
    to: str,
    actor,
    kind: str,
    reason: str = "",
    document=None,
    fields: dict | None = None,
    **data,
) -> FundApplication:
    """The one way an application changes state: lock, check the table, save, record, tell the owners."""
    locked = FundApplication.objects.select_for_update().get(pk=application.pk)
    if to not in ALLOWED[S(locked.status)]:
        raise Conflict(
            f"当前状态（{locked.get_status_display()}）不能进行此操作。",
            f"Not allowed while the application is {locked.status}.",
            code="invalid_transition",
        )
    previous = locked.status
    locked.status = to
    changed = ["status", "updated_at"]
    for name, value in (fields or {}).items():
        setattr(locked, name, value)
        changed.append(name)
    locked.save(update_fields=changed)
    FundEvent.objects.create(
        application=locked,
        kind=kind,
        actor=actor,
        reason=reason,
        document=document or "",
        data={"previous": previous, "status": to, **data},
    )
    notify(
        recipients=_owners_concerned(locked),
        verb="fund.step",
        title=f"维修资金申请进展：{locked.title}（{locked.get_status_display()}）",
        url=application_url(locked),
        key=f"fund.step:{locked.pk}:{to}:{FundEvent.objects.filter(application=locked).count()}",
    )
    return locked


def account_open(*, actor, place: Place) -> FundAccount:
    if place.kind not in (PlaceKind.COMPOUND, PlaceKind.BUILDING):
        raise Invalid("维修资金账户按小区或楼栋设立。", "A fund account belongs to a compound or a building.")
    if not getattr(actor, "is_superuser", False):
        raise Forbidden("只有管理员可以设立账户。", "Only an administrator opens accounts.")
    account, _created = FundAccount.objects.get_or_create(place=place)
    return account


def ledger_post(
    *, actor, account: FundAccount, kind: str, amount_fen: int, note: str = "", application=None
) -> LedgerEntry:
    """Deposits and interest in (positive), payments out; the balance never goes below zero."""
    if kind not in LedgerKind.values or amount_fen <= 0:
        raise Invalid("金额必须大于0。", "The amount must be positive.")
    signed = -amount_fen if kind == LedgerKind.PAYMENT else amount_fen
    with transaction.atomic():
        if signed < 0:
            if (
                FundAccount.objects.filter(pk=account.pk, balance_fen__gte=amount_fen).update(
                    balance_fen=F("balance_fen") - amount_fen
                )
                != 1
            ):
                raise Conflict(
                    "维修资金余额不足。", "The fund's balance is too low.", code="insufficient_balance"
                )
        else:
            FundAccount.objects.filter(pk=account.pk).update(balance_fen=F("balance_fen") + amount_fen)
        balance = FundAccount.objects.values_list("balance_fen", flat=True).get(pk=account.pk)
        account.balance_fen = balance
        return LedgerEntry.objects.create(
            account=account,
            kind=kind,
            amount_fen=signed,
            balance_after_fen=balance,
            note=note[:200],
            actor=actor,
            application=application,
        )


def application_create(
    *,
    actor,
    organiser: Party,
    account: FundAccount,
    department: Party,
    title: str,
    description: str,
    amount_fen: int,
    beneficiaries: list[Place] | tuple = (),
) -> FundApplication:
    check_organiser(user=actor, party=organiser, place=account.place)
    errors = {}
    if department.kind != PartyKind.DEPARTMENT:
        errors["department"] = "审批部门应为房管等职能部门"
    if not (title or "").strip() or not (description or "").strip():
        errors["title"] = "请填写标题和说明"
    if amount_fen <= 0:
        errors["amount"] = "金额必须大于0"
    if any(not (set(b.ancestor_ids()) & {account.place_id}) for b in beneficiaries):
        errors["beneficiaries"] = "受益楼栋应在账户范围内"
    if errors:
        raise Invalid("申请内容不完整或有误。", "The application is incomplete or invalid.", fields=errors)
    with transaction.atomic():
        application = FundApplication.objects.create(
            account=account,
            organiser=organiser,
            department=department,
            title=title.strip(),
            description=description.strip(),
            amount_fen=amount_fen,
            created_by=actor,
        )
        if beneficiaries:
            application.beneficiaries.set(beneficiaries)
        FundEvent.objects.create(
            application=application, kind="proposed", actor=actor, data={"amount_fen": amount_fen}
        )
    return application


def application_link_decision(*, actor, application: FundApplication, decision: Decision) -> FundApplication:
    """Step 2: the owners' decision to use the fund (art. 278 item 5), closed and passed, for this place."""
    check_organiser(user=actor, party=application.organiser)
    if (
        decision.matter != Matter.USE_FUND
        or decision.status != DecisionStatus.CLOSED
        or decision.outcome != Outcome.PASSED
    ):
        raise Conflict(
            "须关联一项已通过的“使用维修资金”业主表决。",
            "Link a closed, passed owners' decision to use the fund.",
            code="decision_not_passed",
        )
    if (
        decision.compound_id not in application.account.place.ancestor_ids()
        and decision.compound_id != application.account.place.compound_id
    ):
        raise Conflict(
            "表决的小区与账户不一致。", "The decision is for another compound.", code="decision_other_place"
        )
    with transaction.atomic():
        return _transition(
            application=application,
            to=S.DECIDED,
            actor=actor,
            kind="decided",
            fields={"decision": decision},
            decision=decision.pk,
        )


def application_emergency(
    *, actor, application: FundApplication, kind: str, reason: str, document=None
) -> FundApplication:
    """Civil Code art. 281 para. 2: in an emergency (a lift endangering safety, a leaking roof, failed fire
    equipment …) the fund may be used without the owners' vote. The ground is stated and recorded."""
    check_organiser(user=actor, party=application.organiser)
    if kind not in EmergencyKind.values or not (reason or "").strip():
        raise Invalid(
            "请选择紧急情况并说明理由。",
            "Choose the emergency and state the reason.",
            fields={"reason": "必填"},
        )
    if document is not None:
        check_document(document)
    with transaction.atomic():
        return _transition(
            application=application,
            to=S.EMERGENCY,
            actor=actor,
            kind="emergency",
            reason=reason.strip(),
            document=document,
            fields={"emergency": kind},
            ground="民法典第二百八十一条第二款",
        )


def application_quote(
    *, actor, application: FundApplication, amount_fen: int, document, note: str = ""
) -> FundApplication:
    """Step 3: the quote or contract (document required) fixes the amount."""
    check_organiser(user=actor, party=application.organiser)
    if document is None:
        raise Invalid("请上传报价单或合同。", "Attach the quote or contract.", fields={"document": "必填"})
    check_document(document)
    if amount_fen <= 0:
        raise Invalid("金额必须大于0。", "The amount must be positive.", fields={"amount": "无效"})
    if amount_fen > application.account.balance_fen:
        raise Conflict(
            "金额超过维修资金余额。", "The amount exceeds the fund's balance.", code="insufficient_balance"
        )
    with transaction.atomic():
        return _transition(
            application=application,
            to=S.QUOTED,
            actor=actor,
            kind="quoted",
            reason=note,
            document=document,
            fields={"amount_fen": amount_fen},
            amount_fen=amount_fen,
        )


def application_submit(*, actor, application: FundApplication) -> FundApplication:
    """Step 4: send it to the housing department's workbench."""
    check_organiser(user=actor, party=application.organiser)
    with transaction.atomic():
        application = _transition(
            application=application,
            to=S.SUBMITTED,
            actor=actor,
            kind="submitted",
            department=application.department_id,
        )
        from shequ.directory.models import Membership  # noqa: PLC0415

        staff = Membership.objects.filter(party=application.department, is_active=True).values_list(
            "user_id", flat=True
        )
        notify(
            recipients=list(staff),
            verb="fund.step",
            title=f"维修资金使用申请待审批：{application.title}",
            url=application_url(application),
            key=f"fund.submitted:{application.pk}:{application.events.count()}",
        )
    return application


def _check_department(actor, application: FundApplication) -> None:
    if application.department_id not in {p.pk for p in department_parties(user=actor)}:
        raise Forbidden(
            "只有审批部门可以审批。", "Only the reviewing department may decide.", code="not_department"
        )


def application_review(
    *, actor, application: FundApplication, approve: bool, reason: str = ""
) -> FundApplication:
    """The department (e.g. 房管局) approves, or rejects with a reason, in its own workbench."""
    _check_department(actor, application)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise Invalid("不批准须说明理由。", "A rejection needs a reason.", fields={"reason": "必填"})
    with transaction.atomic():
        return _transition(
            application=application,
            to=S.APPROVED if approve else S.REJECTED,
            actor=actor,
            kind="approved" if approve else "rejected",
            reason=reason,
        )


def application_pay(
    *, actor, application: FundApplication, amount_fen: int, payee: str, document
) -> FundApplication:
    """A payment from the fund (with its voucher). The application is paid when the payments reach the amount."""
    check_organiser(user=actor, party=application.organiser)
    if application.status != S.APPROVED:
        raise Conflict("批准后才能支付。", "Pay only after approval.", code="invalid_transition")
    if document is None or not (payee or "").strip():
        raise Invalid(
            "请填写收款单位并上传付款凭证。",
            "Give the payee and attach the voucher.",
            fields={"document": "必填"},
        )
    check_document(document)
    if amount_fen <= 0 or application.paid_fen + amount_fen > application.amount_fen:
        raise Invalid("支付金额超过批准金额。", "The payment exceeds the approved amount.", code="overpaid")
    with transaction.atomic():
        ledger_post(
            actor=actor,
            account=application.account,
            kind=LedgerKind.PAYMENT,
            amount_fen=amount_fen,
            note=f"{application.title} · {payee}",
            application=application,
        )
        FundApplication.objects.filter(pk=application.pk).update(paid_fen=F("paid_fen") + amount_fen)
        application.refresh_from_db()
        FundEvent.objects.create(
            application=application,
            kind="payment",
            actor=actor,
            document=document,
            data={"amount_fen": amount_fen, "payee": payee.strip()},
        )
        if application.paid_fen == application.amount_fen:
            application = _transition(
                application=application, to=S.PAID, actor=actor, kind="paid", paid_fen=application.paid_fen
            )
    return application


def application_accept(*, actor, application: FundApplication, document, note: str = "") -> FundApplication:
    """Step 6: acceptance of the works (验收), with the acceptance record."""
    check_organiser(user=actor, party=application.organiser)
    if document is None:
        raise Invalid("请上传验收单。", "Attach the acceptance record.", fields={"document": "必填"})
    check_document(document)
    with transaction.atomic():
        return _transition(
            application=application,
            to=S.ACCEPTED,
            actor=actor,
            kind="accepted",
            reason=note,
            document=document,
        )
