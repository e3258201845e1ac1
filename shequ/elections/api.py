"""REST: elections under /api/v1/elections/… (candidates, vote → receipt, published box, recount)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from shequ.elections import selectors, services
from shequ.elections.models import ElectionStatus

router = Router(tags=["elections"])


class CandidateOut(Schema):
    id: int
    name: str
    building: str
    route: str
    statement: str

    @staticmethod
    def resolve_building(obj) -> str:
        return obj.building.name if obj.building_id else ""


class ElectionOut(Schema):
    id: int
    title: str
    kind: str
    electorate: str
    status: str
    seats: int
    max_choices: int
    alternates: int
    opens_at: datetime | None
    closes_at: datetime | None
    candidates: list[CandidateOut]
    result: dict | None

    @staticmethod
    def resolve_candidates(obj) -> list:
        return list(obj.candidates.filter(withdrawn=False).select_related("building"))

    @staticmethod
    def resolve_result(obj) -> dict | None:
        return obj.result if obj.status == ElectionStatus.CLOSED else None


class VoteIn(Schema):
    candidate_ids: list[int]


class ReceiptOut(Schema):
    receipt: str


class BoxOut(Schema):
    receipt: str
    choices: list[int]


@router.get("/elections", response=list[ElectionOut])
def elections(request: HttpRequest):
    return list(selectors.elections_visible_to(user=request.auth)[:50])


@router.get("/elections/{election_id}", response=ElectionOut)
def election(request: HttpRequest, election_id: int):
    return selectors.access_election(user=request.auth, election_id=election_id)


@router.post("/elections/{election_id}/vote", response={201: ReceiptOut})
def vote(request: HttpRequest, election_id: int, payload: VoteIn):
    e = selectors.access_election(user=request.auth, election_id=election_id)
    return Status(
        201,
        {
            "receipt": services.election_vote(
                user=request.auth, election=e, candidate_ids=payload.candidate_ids
            )
        },
    )


@router.post("/elections/{election_id}/close", response=ElectionOut)
def close(request: HttpRequest, election_id: int):
    e = selectors.access_election(user=request.auth, election_id=election_id)
    return services.election_close(actor=request.auth, election=e)


@router.get("/elections/{election_id}/box", response=list[BoxOut])
def box(request: HttpRequest, election_id: int, receipt: str = ""):
    """The whole published ballot box after the close (empty before); `?receipt=` finds one ballot."""
    e = selectors.access_election(user=request.auth, election_id=election_id)
    return selectors.published_box(election=e, receipt=receipt)
