"""REST: micro-projects and their public accounts (money as decimal strings, exact to the fen)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from shequ.core.errors import NotFound
from shequ.core.pagination import Page, paged
from shequ.projects import selectors, services

router = Router(tags=["projects"])


class LineOut(Schema):
    source: str
    label: str
    pledged: str
    received: str
    spent: str
    balance: str


class AccountOut(Schema):
    lines: list[LineOut]
    pledged: str
    received: str
    spent: str
    balance: str


class ProjectOut(Schema):
    id: int
    title: str
    status: str
    budget: str
    place_id: int
    proposer_party: str
    created_at: datetime

    @staticmethod
    def resolve_budget(obj) -> str:
        return str(obj.budget)

    @staticmethod
    def resolve_proposer_party(obj) -> str:
        return obj.proposer_party.name


class ProjectDetailOut(ProjectOut):
    account: AccountOut


class PledgeIn(Schema):
    source: str
    payer_name: str
    amount: str


class FundingOut(Schema):
    id: int
    source: str
    payer_name: str
    amount: str
    status: str

    @staticmethod
    def resolve_amount(obj) -> str:
        return str(obj.amount)


class SpendingOut(Schema):
    id: int
    source: str
    amount: str
    payee: str
    description: str

    @staticmethod
    def resolve_amount(obj) -> str:
        return str(obj.amount)


def _account(project) -> dict:
    a = selectors.project_account(project=project)
    return {
        "lines": [
            {
                **x.__dict__,
                "pledged": str(x.pledged),
                "received": str(x.received),
                "spent": str(x.spent),
                "balance": str(x.balance),
            }
            for x in a.lines
        ],
        "pledged": str(a.pledged),
        "received": str(a.received),
        "spent": str(a.spent),
        "balance": str(a.balance),
    }


@router.get("/projects", response=Page[ProjectOut])
@paged
def projects_list(request: HttpRequest):
    return selectors.projects_visible_to(user=request.user).order_by("-created_at")


@router.get("/projects/{project_id}", response=ProjectDetailOut)
def project_get(request: HttpRequest, project_id: int):
    project = selectors.access_project(user=request.user, project_id=project_id)
    project.account = _account(project)  # type: ignore[attr-defined]  # for the schema
    return project


@router.post("/projects/{project_id}/fundings", response={201: FundingOut})
def funding_pledge(request: HttpRequest, project_id: int, payload: PledgeIn):
    project = selectors.access_project(user=request.user, project_id=project_id)
    row = services.funding_pledge(
        project=project,
        actor=request.user,
        source=payload.source,
        payer_name=payload.payer_name,
        amount=payload.amount,
    )
    return Status(201, row)


@router.post("/projects/{project_id}/fundings/{funding_id}/receive", response=FundingOut)
def funding_receive(request: HttpRequest, project_id: int, funding_id: int, receipt: File[UploadedFile]):
    project = selectors.access_project(user=request.user, project_id=project_id)
    row = project.fundings.filter(pk=funding_id).first()
    if row is None:
        raise NotFound("没有这笔资金。", "No such funding.")
    return services.funding_receive(funding=row, actor=request.user, receipt=receipt)


@router.post("/projects/{project_id}/spendings", response={201: SpendingOut})
def spending_record(
    request: HttpRequest,
    project_id: int,
    source: Form[str],
    amount: Form[str],
    payee: Form[str],
    description: Form[str],
    receipt: File[UploadedFile],
):
    project = selectors.access_project(user=request.user, project_id=project_id)
    row = services.spending_record(
        project=project,
        actor=request.user,
        source=source,
        amount=amount,
        payee=payee,
        description=description,
        receipt=receipt,
    )
    return Status(201, row)


@router.post("/projects/{project_id}/{action}", response=ProjectOut)
def project_transition(request: HttpRequest, project_id: int, action: str):
    project = selectors.access_project(user=request.user, project_id=project_id)
    return services.project_transition(project=project, actor=request.user, action=action)
