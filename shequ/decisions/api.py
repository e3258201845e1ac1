"""REST: the owners' register and owners' decisions under /api/v1/decisions/…"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from shequ.core.errors import Forbidden, Invalid
from shequ.core.pagination import Page, PageQuery, api_page, paged
from shequ.decisions import register, selectors, services, voting
from shequ.decisions.models import Decision, DecisionStatus
from shequ.decisions.rules import check_organiser, organiser_parties
from shequ.directory.models import Party, Place, PlaceKind

router = Router(tags=["decisions"])


class DecisionOut(Schema):
    id: int
    title: str
    body: str
    matter: str
    major: bool
    status: str
    compound_id: int
    organiser: str
    building_ids: list[int]
    opens_at: datetime | None
    closes_at: datetime | None
    outcome: str
    turnout: dict | None
    result: dict | None

    @staticmethod
    def resolve_major(obj) -> bool:
        return obj.is_major

    @staticmethod
    def resolve_organiser(obj) -> str:
        return obj.organiser.name

    @staticmethod
    def resolve_building_ids(obj) -> list[int]:
        return [b.pk for b in obj.buildings.all()]

    @staticmethod
    def resolve_turnout(obj) -> dict | None:
        if obj.status != DecisionStatus.VOTING:
            return None
        return services.decision_turnout(decision=obj).as_dict()

    @staticmethod
    def resolve_result(obj) -> dict | None:
        return obj.result if obj.status == DecisionStatus.CLOSED else None


class DecisionIn(Schema):
    organiser_id: int
    compound_id: int
    matter: str
    title: str
    body: str
    building_ids: list[int] = []


class PubliciseIn(Schema):
    opens_at: datetime
    closes_at: datetime | None = None


class VoteIn(Schema):
    choice: str


class CancelIn(Schema):
    reason: str


class CorrectIn(Schema):
    choice: str
    reason: str


class BallotOut(Schema):
    id: int
    decision_id: int
    choice: str
    channel: str
    cast_at: datetime
    receipt: str

    @staticmethod
    def resolve_receipt(obj) -> str:
        return f"{obj.decision_id}-{obj.pk}"


class UnitBallotOut(Schema):
    label: str
    area: str
    voter: str
    voted: bool
    choice: str | None
    channel: str | None


class RegisterRowOut(Schema):
    compound: str
    unit: str
    kind: str
    area: str
    area_source: str
    representative: bool
    developer_unsold: bool


def _decision(request: HttpRequest, decision_id: int) -> Decision:
    return selectors.access_decision(user=request.user, decision_id=decision_id)


@router.get("/decisions", response=Page[DecisionOut])
@paged
def decisions(request: HttpRequest, status: str | None = None):
    qs = selectors.decisions_visible_to(user=request.user).prefetch_related("buildings")
    if status:
        qs = qs.filter(status=status)
    return qs


@router.post("/decisions", response={201: DecisionOut})
def decision_create(request: HttpRequest, payload: DecisionIn):
    party = Party.objects.filter(pk=payload.organiser_id).first()
    compound = Place.objects.filter(pk=payload.compound_id).first()
    if party is None or compound is None:
        raise Invalid("组织单位或小区不存在。", "No such organiser or compound.")
    buildings = list(Place.objects.filter(pk__in=payload.building_ids, kind=PlaceKind.BUILDING))
    if len(buildings) != len(set(payload.building_ids)):
        raise Invalid("楼栋不存在。", "No such building.", fields={"building_ids": "无效"})
    decision = services.decision_create(
        actor=request.user,
        organiser=party,
        compound=compound,
        matter=payload.matter,
        title=payload.title,
        body=payload.body,
        buildings=buildings,
    )
    return Status(201, decision)


@router.get("/decisions/{decision_id}", response=DecisionOut)
def decision(request: HttpRequest, decision_id: int):
    return _decision(request, decision_id)


@router.post("/decisions/{decision_id}/publicise", response=DecisionOut)
def publicise(request: HttpRequest, decision_id: int, payload: PubliciseIn):
    d = _decision(request, decision_id)
    return services.decision_publicise(
        actor=request.user, decision=d, opens_at=payload.opens_at, closes_at=payload.closes_at
    )


@router.post("/decisions/{decision_id}/open", response=DecisionOut)
def open_voting(request: HttpRequest, decision_id: int):
    return services.decision_open(actor=request.user, decision=_decision(request, decision_id))


@router.post("/decisions/{decision_id}/close", response=DecisionOut)
def close(request: HttpRequest, decision_id: int):
    return services.decision_close(actor=request.user, decision=_decision(request, decision_id))


@router.post("/decisions/{decision_id}/cancel", response=DecisionOut)
def cancel(request: HttpRequest, decision_id: int, payload: CancelIn):
    d = _decision(request, decision_id)
    return services.decision_cancel(actor=request.user, decision=d, reason=payload.reason)


@router.post("/decisions/{decision_id}/vote", response={201: BallotOut})
def vote(request: HttpRequest, decision_id: int, payload: VoteIn):
    d = _decision(request, decision_id)
    return Status(201, voting.ballot_cast(user=request.user, decision=d, choice=payload.choice))


@router.get("/decisions/{decision_id}/my-ballot", response=BallotOut | None)
def my_ballot(request: HttpRequest, decision_id: int):
    return selectors.my_ballot(user=request.user, decision=_decision(request, decision_id))


@router.post("/decisions/{decision_id}/paper", response={201: BallotOut})
def paper(
    request: HttpRequest,
    decision_id: int,
    voter_id: Form[int],
    choice: Form[str],
    channel: Form[str] = "paper",
    proxy_name: Form[str] = "",
):
    """Multipart: `voter_id`, `choice`, `channel` (paper | proxy), `proxy_name`, and the `document` file
    (the photo of the paper ballot or the written authorisation)."""
    d = _decision(request, decision_id)
    ballot = voting.ballot_enter(
        actor=request.user,
        decision=d,
        voter_id=voter_id,
        choice=choice,
        channel=channel,
        document=request.FILES.get("document"),
        proxy_name=proxy_name,
    )
    return Status(201, ballot)


@router.post("/decisions/{decision_id}/ballots/{ballot_id}/correct", response=BallotOut)
def correct(request: HttpRequest, decision_id: int, ballot_id: int, payload: CorrectIn):
    d = _decision(request, decision_id)
    ballot = d.ballots.filter(pk=ballot_id).first()
    if ballot is None:
        raise Invalid("没有这张表决票。", "No such ballot.")
    return voting.ballot_correct(
        actor=request.user, decision=d, ballot=ballot, choice=payload.choice, reason=payload.reason
    )


@router.get("/decisions/{decision_id}/ballots", response=Page[UnitBallotOut])
def ballots(request: HttpRequest, decision_id: int, paging: Query[PageQuery]):
    d = _decision(request, decision_id)

    def present(rows: list) -> list:
        return [
            {
                "label": line.label,
                "area": str(line.area),
                "voter": line.voter,
                "voted": line.voted,
                "choice": line.ballot.choice if line.ballot else None,
                "channel": line.ballot.channel if line.ballot else None,
            }
            for line in selectors.unit_lines(rows)
        ]

    # A keyset page of the roll: only the page's units (and, once closed, their ballots) are loaded.
    return api_page(selectors.ballot_list(user=request.user, decision=d), paging, present=present)


@router.get("/register/mine", response=Page[RegisterRowOut])
def register_mine(request: HttpRequest, paging: Query[PageQuery]):
    def present(rows: list) -> list:
        return [
            {
                "compound": o.unit.compound.name,
                "unit": o.unit.label,
                "kind": o.unit.kind,
                "area": str(o.unit.area),
                "area_source": o.unit.area_source,
                "representative": o.is_representative,
                "developer_unsold": o.unit.developer_unsold,
            }
            for o in rows
        ]

    # A keyset page of the register's queryset: only the page's rows are loaded.
    return api_page(selectors.my_register(user=request.user), paging, present=present)


@router.post("/register/{compound_id}/import")
def register_import(request: HttpRequest, compound_id: int, file: File[UploadedFile]):
    compound = Place.objects.filter(pk=compound_id, kind=PlaceKind.COMPOUND).first()
    if compound is None:
        raise Invalid("小区不存在。", "No such compound.")
    party = None
    for p in organiser_parties(user=request.user):
        try:
            check_organiser(user=request.user, party=p, place=compound)
        except Forbidden:
            continue
        party = p
        break
    if party is None:
        raise Forbidden("您不负责这个小区的业主名册。", "You do not keep this compound's register.")
    report = register.register_import(
        actor=request.user, organiser=party, compound=compound, file=file.read(), filename=file.name or ""
    )
    return Status(200 if report.ok else 422, report.as_dict())
