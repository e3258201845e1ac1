"""Writes of micro-projects. `project_transition` is the one state change (approve, start, finish,
reject) with an explicit table; funding, spending and milestones are appended rows, each with an
event. Spending beyond what was received from that source is refused, under a row lock."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse

from shequ.accounts.selectors import user_roles
from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid, NotFound, zh
from shequ.directory.models import Party, PartyKind, PartyPlace, Place, Role
from shequ.notices.models import Channel
from shequ.notices.services import notice_create
from shequ.notices.uploads import check_attachment
from shequ.projects.models import (
    Funding,
    FundingStatus,
    Milestone,
    Project,
    ProjectEvent,
    ProjectStatus,
    Source,
    Spending,
)

FEN = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")
OFFICER_ROLES = frozenset({Role.HEAD, Role.DEPUTY, Role.STAFF, Role.DISPATCHER})
PROPOSING_KINDS = frozenset(
    {
        PartyKind.MUTUAL_AID_STATION,
        PartyKind.RESIDENTS_COMMITTEE,
        PartyKind.PARTY_ORG,
        PartyKind.ENV_PROPERTY_COMMITTEE,
        PartyKind.OWNERS_COMMITTEE,
    }
)
# Who approves and accepts the works: the community (residents' committee, party organisation) —
# and the street office when the project takes government money (the street approves what it funds).
COMMUNITY_KINDS = (PartyKind.RESIDENTS_COMMITTEE, PartyKind.PARTY_ORG)

PS = ProjectStatus
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({PS.PROPOSED}), PS.APPROVED),
    "reject": (frozenset({PS.PROPOSED}), PS.REJECTED),
    "start": (frozenset({PS.APPROVED}), PS.IN_PROGRESS),
    "finish": (frozenset({PS.IN_PROGRESS}), PS.DONE),
}
ACTORS: dict[str, str] = {
    "approve": "approver",
    "reject": "approver",
    "start": "manager",
    "finish": "approver",
}
RECORDING = frozenset({PS.PROPOSED, PS.APPROVED, PS.IN_PROGRESS})


def money(value: Any, *, name: str = "amount") -> Decimal:
    """Parse an amount in yuan to exact fen: positive, at most two decimals, never a float."""
    if isinstance(value, float):
        raise Invalid(
            "金额必须是精确的小数。",
            "Amounts must be exact decimals.",
            code="amount_float",
            fields={name: "float"},
        )
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise Invalid(
            "请填写正确的金额。", "Enter a valid amount.", code="amount_invalid", fields={name: "invalid"}
        )
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount != amount.quantize(FEN):
        raise Invalid(
            "金额必须大于0，最多两位小数（到分）。",
            "The amount must be positive with at most two decimals (fen).",
            code="amount_invalid",
            fields={name: "invalid"},
        )
    return amount.quantize(FEN)


def _officer_of(user, party_ids: set[int]) -> Party | None:
    for m in user_roles(user=user).memberships:
        if m.party_id in party_ids and m.role in OFFICER_ROLES:
            return m.party
    return None


def _community_party_ids(place: Place, kinds) -> set[int]:
    return set(
        PartyPlace.objects.filter(party__kind__in=kinds, place_id__in=place.ancestor_ids()).values_list(
            "party_id", flat=True
        )
    )


def takes_government_money(project: Project) -> bool:
    return project.fundings.filter(source=Source.GOVERNMENT).exists()


def approver_party(*, project: Project, user) -> Party | None:
    """The street office approves a project it funds; otherwise the community does."""
    kinds = (
        (PartyKind.STREET_OFFICE,)
        if takes_government_money(project)
        else (*COMMUNITY_KINDS, PartyKind.STREET_OFFICE)
    )
    return _officer_of(user, _community_party_ids(project.place, kinds))


def manager_party(*, project: Project, user) -> Party | None:
    """Who keeps the books: officers of the proposing party or of the community."""
    return _officer_of(
        user, {project.proposer_party_id} | _community_party_ids(project.place, COMMUNITY_KINDS)
    )


def _event(
    project: Project, kind: str, actor, party: Party | None = None, text: str = "", **data: Any
) -> ProjectEvent:
    return ProjectEvent.objects.create(
        project=project, kind=kind, actor=actor, party=party, text=text, data=data
    )


def _locked(project: Project) -> Project:
    row = (
        Project.objects.select_for_update(of=("self",))
        .select_related("place", "proposer_party")
        .filter(pk=project.pk)
        .first()
    )
    if row is None:
        raise NotFound("没有这个项目。", "No such project.")
    return row


def _manage(project: Project, actor) -> Party:
    party = manager_party(project=project, user=actor)
    if party is None:
        raise Forbidden(
            "只有申报单位或社区可以登记项目账目。",
            "Only the proposing party or the community keeps this project's books.",
            code="not_manager",
        )
    if project.status not in RECORDING:
        raise Conflict(
            "项目已结束，账目不能再改。",
            "The project is closed; its account can no longer change.",
            code="project_closed",
        )
    return party


def project_create(
    *, actor, party: Party, place: Place, title: str, budget: Any, description: str = ""
) -> Project:
    if party.kind not in PROPOSING_KINDS or _officer_of(actor, {party.pk}) is None:
        raise Forbidden(
            "只有互助站、居委会、党组织、环物会或业委会可以申报小微项目。",
            "Only a station, the residents' committee, party organisation, 环物会 or owners' committee may propose.",
        )
    if not set(place.ancestor_ids()) & set(
        PartyPlace.objects.filter(party=party).values_list("place_id", flat=True)
    ):
        raise Invalid(
            "请选择本单位服务的地点。", "Choose a place your party serves.", fields={"place": "not served"}
        )
    title = (title or "").strip()
    if not title:
        raise Invalid("请填写项目名称。", "Please give a title.", fields={"title": "required"})
    with transaction.atomic():
        project = Project.objects.create(
            title=title[:120],
            description=description,
            place=place,
            proposer_party=party,
            proposed_by=actor,
            budget=money(budget, name="budget"),
        )
        _event(project, "proposed", actor, party, budget=str(project.budget))
    return project


def funding_pledge(
    *, project: Project, actor, source: str, payer_name: str, amount: Any, payer_party: Party | None = None
) -> Funding:
    if source not in Source.values:
        raise Invalid("请选择资金来源。", "Choose a source.", fields={"source": "invalid"})
    payer_name = (payer_name or (payer_party.name if payer_party else "")).strip()
    if not payer_name:
        raise Invalid("请填写出资方。", "Name the payer.", fields={"payer_name": "required"})
    amount = money(amount)
    with transaction.atomic():
        project = _locked(project)
        party = _manage(project, actor)
        row = Funding.objects.create(
            project=project,
            source=source,
            payer_name=payer_name[:100],
            payer_party=payer_party,
            amount=amount,
            recorded_by=actor,
        )
        _event(project, "pledged", actor, party, funding=row.pk, source=source, amount=str(amount))
    return row


def funding_receive(*, funding: Funding, actor, receipt) -> Funding:
    """The pledged money arrived: with a receipt (image or PDF). Government money only once approved."""
    checked = check_attachment(receipt) if receipt else None
    if checked is None:
        raise Invalid(
            "请上传收款凭证（图片或PDF）。",
            "Attach the receipt (image or PDF).",
            code="receipt_required",
            fields={"receipt": "required"},
        )
    with transaction.atomic():
        project = _locked(funding.project)
        party = _manage(project, actor)
        row = Funding.objects.select_for_update().get(pk=funding.pk, project=project)
        if row.status != FundingStatus.PLEDGED:
            raise Conflict(
                "这笔资金已经到账。", "This funding was already received.", code="already_received"
            )
        if row.source == Source.GOVERNMENT and project.status == PS.PROPOSED:
            raise Conflict(
                "财政资金须经街道批准项目后才能到账。",
                "Government money is received only after the street approves the project.",
                code="needs_approval",
            )
        row.status, row.received_at = FundingStatus.RECEIVED, clock.now()
        row.receipt, row.receipt_type = checked.upload, checked.content_type
        row.save(update_fields=["status", "received_at", "receipt", "receipt_type"])
        _event(project, "received", actor, party, funding=row.pk, source=row.source, amount=str(row.amount))
    return row


def balance_of(*, project: Project, source: str) -> Decimal:
    """Received − spent for one source, summed in the database."""
    received = Funding.objects.filter(
        project=project, source=source, status=FundingStatus.RECEIVED
    ).aggregate(s=Sum("amount"))["s"]
    spent = Spending.objects.filter(project=project, source=source).aggregate(s=Sum("amount"))["s"]
    return (received or Decimal("0")) - (spent or Decimal("0"))


def spending_record(
    *,
    project: Project,
    actor,
    source: str,
    amount: Any,
    payee: str,
    description: str,
    receipt,
    spent_on: date | None = None,
) -> Spending:
    """A payment from one source's received money, with its receipt (image or PDF). Refused when it
    would spend more than was received from that source (the project row is locked while checking)."""
    if source not in Source.values:
        raise Invalid("请选择列支来源。", "Choose the source it is paid from.", fields={"source": "invalid"})
    amount = money(amount)
    payee, description = (payee or "").strip(), (description or "").strip()
    if not payee or not description:
        raise Invalid(
            "请填写收款方和用途。",
            "Give the payee and the purpose.",
            fields={"payee": "required", "description": "required"},
        )
    checked = check_attachment(receipt) if receipt else None
    if checked is None:
        raise Invalid(
            "请上传支出凭证（图片或PDF）。",
            "Attach the receipt (image or PDF).",
            code="receipt_required",
            fields={"receipt": "required"},
        )
    with transaction.atomic():
        project = _locked(project)
        party = _manage(project, actor)
        if project.status == PS.PROPOSED:
            raise Conflict(
                "项目批准后才能支出。",
                "Spending starts after the project is approved.",
                code="needs_approval",
            )
        available = balance_of(project=project, source=source)
        if amount > available:
            raise Conflict(
                f"超出已到账资金：{zh(Source(source).label)}可用余额 {available} 元，本次支出 {amount} 元。",
                f"Beyond the received funds: {source} balance {available}, this payment {amount}.",
                code="beyond_received",
            )
        row = Spending.objects.create(
            project=project,
            source=source,
            amount=amount,
            payee=payee[:100],
            description=description[:200],
            spent_on=spent_on or clock.now().date(),
            receipt=checked.upload,
            receipt_type=checked.content_type,
            recorded_by=actor,
        )
        _event(project, "spent", actor, party, spending=row.pk, source=source, amount=str(amount))
    return row


def milestone_add(
    *, project: Project, actor, title: str, progress: int, note: str = "", photo=None
) -> Milestone:
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise Invalid(
            "进度应在0到100之间。", "Progress must be between 0 and 100.", fields={"progress": "range"}
        )
    title = (title or "").strip()
    if not title:
        raise Invalid("请填写进展。", "Describe the progress.", fields={"title": "required"})
    checked = check_attachment(photo) if photo else None
    if checked is not None and checked.kind != "image":
        raise Invalid(
            "进展照片只能是图片。",
            "A progress photo must be an image.",
            code="file_type",
            fields={"photo": "image"},
        )
    with transaction.atomic():
        project = _locked(project)
        party = _manage(project, actor)
        row = Milestone.objects.create(
            project=project,
            title=title[:120],
            progress=progress,
            note=note,
            photo=checked.upload if checked else "",
            photo_type=checked.content_type if checked else "",
            recorded_by=actor,
        )
        _event(project, "milestone", actor, party, milestone=row.pk, progress=progress)
    return row


def project_transition(*, project: Project, actor, action: str, reason: str = "") -> Project:
    """approve / reject (the community, or the street office when it funds the project), start (the
    books' keeper), finish (the community accepts the works and posts the account on the board)."""
    if action not in TRANSITIONS:
        raise NotFound("没有这个操作。", f"Unknown action {action!r}.", code="unknown_action")
    with transaction.atomic():
        row = _locked(project)
        party = (
            approver_party(project=row, user=actor)
            if ACTORS[action] == "approver"
            else manager_party(project=row, user=actor)
        )
        if party is None:
            street = ACTORS[action] == "approver" and takes_government_money(row)
            raise Forbidden(
                "使用财政资金的项目由街道批准。" if street else "您不能执行此操作。",
                "The street office approves projects it funds." if street else "You may not do this.",
                code="not_allowed",
            )
        sources, target = TRANSITIONS[action]
        if row.status not in sources:
            raise Conflict(
                f"项目{row.get_status_display()}，不能执行此操作。",
                f"A {row.status} project cannot do {action}.",
                code="invalid_transition",
            )
        if action == "reject" and not reason.strip():
            raise Invalid("请填写不批准的原因。", "Give the reason.", fields={"reason": "required"})
        old = row.status
        row.status = target
        changed = ["status"]
        if action == "approve":
            row.approved_by_party, row.approved_at = party, clock.now()
            changed += ["approved_by_party", "approved_at"]
        if action == "finish":
            row.done_at = clock.now()
            changed.append("done_at")
        row.save(update_fields=changed)
        _event(row, action, actor, party, text=reason, **{"from": old, "to": target})
        if action in ("approve", "finish"):
            _post_account(project=row, actor=actor, party=party)
    return row


def _post_account(*, project: Project, actor, party: Party) -> None:
    from shequ.projects.selectors import project_account  # noqa: PLC0415

    account = project_account(project=project)
    lines = [f"预算：{project.budget} 元"]
    for line in account.lines:
        lines.append(
            f"{line.label}：认捐 {line.pledged} 元，到账 {line.received} 元，支出 {line.spent} 元，结余 {line.balance} 元"
        )
    lines.append(f"合计：到账 {account.received} 元，支出 {account.spent} 元，结余 {account.balance} 元")
    lines.append(f"详情：{reverse('projects:detail', args=[project.pk])}")
    verb = "项目已批准" if project.status == PS.APPROVED else "项目已完工"
    notice_create(
        author=actor,
        party=party,
        channel=Channel.COMMUNITY,
        place=project.place,
        title=f"小微项目公示（{verb}）：{project.title}"[:120],
        body="\n".join(lines),
    )
