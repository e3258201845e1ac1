"""Supervision over the API: whistle and report-in, helper company, escalations."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from shequ.accounts.selectors import user_roles
from shequ.appeals.selectors import access_appeal
from shequ.appeals.services import appeal_transition
from shequ.core.errors import NotFound
from shequ.core.http_idempotency import idempotent
from shequ.core.pagination import Page, PageQuery, api_page, paged
from shequ.core.schemas import ERRORS
from shequ.supervision import selectors, services
from shequ.supervision.models import Summons

router = Router(tags=["supervision"])


class WhistleIn(Schema):
    kind: str  # routine | tough | emergency
    departments: list[int]
    reason: str


class SummonsOut(Schema):
    id: int
    department_id: int
    department: str
    due_at: datetime
    reported_in_at: datetime | None
    minutes_to_report_in: int | None
    on_time: bool | None
    acted: str
    reported_back_at: datetime | None


class WhistleOut(Schema):
    id: int
    appeal_id: int
    kind: str
    party_id: int
    party: str
    reason: str
    blown_at: datetime
    closed_at: datetime | None
    is_open: bool
    summonses: list[SummonsOut]


class ReportIn(Schema):
    text: str = ""
    summons_id: int | None = None


class HelperIn(Schema):
    company_id: int
    fee_waived: bool | None = None
    note: str = ""


class ChoiceOut(Schema):
    id: int
    name: str
    kind: str


class ChoicesOut(Schema):
    near: list[ChoiceOut]  # own street (or covering it), nearest first
    others: list[ChoiceOut]  # other streets, behind "其他街道"; empty where the rule forbids them


class HelperOut(Schema):
    appeal_id: int
    helper_party_id: int
    helper_party: str
    fee_waived: bool
    first_party_id: int | None


class EscalatedOut(Schema):
    id: int
    number: str
    status: str
    urgency: str
    category: str
    escalation_level: int
    escalated_to_id: int | None
    responsible_party_id: int | None
    first_party_id: int | None
    accept_due_at: datetime | None
    resolve_due_at: datetime | None


def _board(appeal) -> list[dict]:
    out = []
    for whistle, rows in selectors.whistle_board(appeal=appeal):
        out.append(
            {
                "id": whistle.pk,
                "appeal_id": whistle.appeal_id,
                "kind": whistle.kind,
                "party_id": whistle.party_id,
                "party": whistle.party.name,
                "reason": whistle.reason,
                "blown_at": whistle.blown_at,
                "closed_at": whistle.closed_at,
                "is_open": whistle.is_open,
                "summonses": [
                    {
                        "id": r.summons.pk,
                        "department_id": r.summons.department_id,
                        "department": r.department,
                        "due_at": r.due_at,
                        "reported_in_at": r.reported_in_at,
                        "minutes_to_report_in": r.minutes,
                        "on_time": r.on_time,
                        "acted": r.acted,
                        "reported_back_at": r.reported_back_at,
                    }
                    for r in rows
                ],
            }
        )
    return out


def _json(data):
    import json  # noqa: PLC0415

    from ninja.responses import NinjaJSONEncoder  # noqa: PLC0415

    return json.loads(json.dumps(data, cls=NinjaJSONEncoder))


def _appeal_for_summoned(user, appeal_id: int):
    """The appeal, for staff of a department summoned to it (they may not otherwise see it)."""
    ids = user_roles(user=user).party_ids
    summons = (
        Summons.objects.select_related("whistle__appeal")
        .filter(whistle__appeal_id=appeal_id, department_id__in=ids)
        .first()
    )
    if summons is None:
        raise NotFound("没有找到这条诉求。", "Appeal not found.")
    return summons.whistle.appeal


def _visible_appeal(user, appeal_id: int):
    try:
        return access_appeal(user=user, appeal_id=appeal_id)
    except NotFound:
        return _appeal_for_summoned(user, appeal_id)


@router.get(
    "/appeals/{int:appeal_id}/whistles",
    response={200: Page[WhistleOut], **ERRORS},
    summary="吹哨与部门报到情况 / Whistles and who reported in how fast",
)
@paged
def whistles(request: HttpRequest, appeal_id: int):
    return _board(_visible_appeal(request.user, appeal_id))


@router.post(
    "/appeals/{int:appeal_id}/whistle",
    response={201: WhistleOut, **ERRORS},
    summary="吹哨召集部门 / Blow the whistle (kind, departments, reason)",
)
def whistle(request: HttpRequest, appeal_id: int, payload: WhistleIn):
    appeal = access_appeal(user=request.user, appeal_id=appeal_id)

    def work():
        blown = services.whistle_blow(
            appeal=appeal,
            actor=request.user,
            kind=payload.kind,
            departments=payload.departments,
            reason=payload.reason,
        )
        board = [w for w in _board(appeal) if w["id"] == blown.pk]
        return 201, _json(board[0])

    return idempotent(request, work)


def _my_summons(user, appeal_id: int, summons_id: int | None) -> Summons:
    ids = user_roles(user=user).party_ids
    qs = Summons.objects.filter(whistle__appeal_id=appeal_id, department_id__in=ids)
    if summons_id:
        qs = qs.filter(pk=summons_id)
    summons = qs.order_by("reported_back_at", "reported_in_at", "-id").first()
    if summons is None:
        raise NotFound("您的部门没有被召集到这条诉求。", "Your department is not summoned to this appeal.")
    return summons


@router.post(
    "/appeals/{int:appeal_id}/report_in",
    response={200: WhistleOut, **ERRORS},
    summary="部门报到 / A summoned department reports in",
)
def report_in(request: HttpRequest, appeal_id: int, payload: ReportIn):
    summons = _my_summons(request.user, appeal_id, payload.summons_id)

    def work():
        done = services.summons_report_in(summons_id=summons.pk, actor=request.user, text=payload.text)
        board = [w for w in _board(done.whistle.appeal) if w["id"] == done.whistle_id]
        return 200, _json(board[0])

    return idempotent(request, work)


@router.post(
    "/appeals/{int:appeal_id}/report_back",
    response={200: WhistleOut, **ERRORS},
    summary="部门反馈处置情况 / A summoned department reports back (text)",
)
def report_back(request: HttpRequest, appeal_id: int, payload: ReportIn):
    summons = _my_summons(request.user, appeal_id, payload.summons_id)

    def work():
        done = services.summons_report_back(summons_id=summons.pk, actor=request.user, text=payload.text)
        board = [w for w in _board(done.whistle.appeal) if w["id"] == done.whistle_id]
        return 200, _json(board[0])

    return idempotent(request, work)


@router.post(
    "/appeals/{int:appeal_id}/helper",
    response={200: HelperOut, **ERRORS},
    summary="大手拉小手：安排协助企业 / Assign a helper company (环物会)",
)
def helper(request: HttpRequest, appeal_id: int, payload: HelperIn):
    appeal = access_appeal(user=request.user, appeal_id=appeal_id)

    def work():
        done = appeal_transition(
            appeal=appeal,
            actor=request.user,
            action="assign_helper",
            company=payload.company_id,
            fee_waived=payload.fee_waived,
            note=payload.note,
        )
        helper_party = done.helper_party
        assert helper_party is not None  # assign_helper always sets one, or raises
        return 200, {
            "appeal_id": done.pk,
            "helper_party_id": helper_party.pk,
            "helper_party": helper_party.name,
            "fee_waived": done.fee_waived,
            "first_party_id": done.first_party_id,
        }

    return idempotent(request, work)


@router.get(
    "/supervision/escalated",
    response={200: Page[EscalatedOut], **ERRORS},
    summary="升级到我方的诉求 / Open appeals escalated to my parties",
)
def escalated(request: HttpRequest, paging: Query[PageQuery]):
    def present(rows: list) -> list[dict]:
        return [
            {
                "id": a.pk,
                "number": a.number,
                "status": a.status,
                "urgency": a.urgency,
                "category": a.category.name,
                "escalation_level": a.escalation_level,
                "escalated_to_id": a.escalated_to_id,
                "responsible_party_id": a.responsible_party_id,
                "first_party_id": a.first_party_id,
                "accept_due_at": a.accept_due_at,
                "resolve_due_at": a.resolve_due_at,
            }
            for a in rows
        ]

    return api_page(selectors.escalated_appeals(user=request.user), paging, present=present)


def _choices(nearest) -> dict:
    def rows(parties):
        return [{"id": p.pk, "name": p.name, "kind": p.kind} for p in parties]

    return {"near": rows(nearest.near), "others": rows(nearest.others)}


@router.get(
    "/appeals/{int:appeal_id}/whistle/choices",
    response={200: ChoicesOut, **ERRORS},
    summary="可召集的部门（本街道优先）/ Departments that may be summoned, nearest first",
)
def whistle_choices(request: HttpRequest, appeal_id: int):
    appeal = access_appeal(user=request.user, appeal_id=appeal_id)
    services.check_may_choose(actor=request.user, appeal=appeal, rule="whistle")
    return _choices(services.whistle_department_choices(appeal=appeal))


@router.get(
    "/appeals/{int:appeal_id}/helper/choices",
    response={200: ChoicesOut, **ERRORS},
    summary="可协助的物业企业（本街道优先）/ Helper companies, own street first",
)
def helper_choices(request: HttpRequest, appeal_id: int):
    appeal = access_appeal(user=request.user, appeal_id=appeal_id)
    services.check_may_choose(actor=request.user, appeal=appeal, rule="helper")
    return _choices(services.helper_company_choices(appeal=appeal))
