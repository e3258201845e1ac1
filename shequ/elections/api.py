"""REST: elections under /api/v1/elections/…: organisers create and run them (appointed members, nominations,
the representatives' roll, publicity, open, paper ballots, close); voters vote → receipt; the published box.

Errors are the services' own: 403 not the organiser / not on the roll, 409 wrong stage / already voted /
too few candidates, 422 bad settings or choices (zh and en in every body)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Form, Query, Router, Schema, Status

from shequ.accounts.models import User
from shequ.core.errors import Invalid
from shequ.core.pagination import Page, PageQuery, api_page, paged
from shequ.directory.models import Party, Place, PlaceKind
from shequ.elections import selectors, services, tally, voting
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
    method: str
    status: str
    seats: int
    max_choices: int
    alternates: int
    opens_at: datetime | None
    closes_at: datetime | None
    candidates: list[CandidateOut]
    result: dict | None
    turnout: dict | None

    @staticmethod
    def resolve_turnout(obj) -> dict | None:
        """Owners'-committee elections while voting: participation (owners, area) against the 2/3 quorum."""
        if not obj.is_named or obj.status != ElectionStatus.VOTING:
            return None
        return tally.election_turnout(election=obj).as_dict()

    @staticmethod
    def resolve_candidates(obj) -> list:
        return list(obj.candidates.filter(withdrawn=False).select_related("building"))

    @staticmethod
    def resolve_result(obj) -> dict | None:
        return obj.result if obj.status == ElectionStatus.CLOSED else None


class ElectionIn(Schema):
    organiser_id: int
    place_id: int
    kind: str
    electorate: str
    title: str
    description: str = ""
    seats: int
    max_choices: int | None = None
    alternates: int = 0
    min_nominators: int = 5


class AppointedIn(Schema):
    role: str
    name: str
    party_id: int


class AppointedOut(Schema):
    id: int
    role: str
    name: str
    party_id: int


class NominateIn(Schema):
    route: str
    statement: str
    name: str = ""
    building_id: int | None = None
    nominators: str = ""


class PubliciseIn(Schema):
    opens_at: datetime
    closes_at: datetime


class RollIn(Schema):
    phone: str


class RollOut(Schema):
    id: int
    name: str
    building: str
    voted: bool


class PaperIn(Schema):
    roll_entry_id: int
    candidate_ids: list[int] = []
    abstain: bool = False  # a blank ballot: takes part, chooses nobody (candidate_ids must be empty)


class VoteIn(Schema):
    candidate_ids: list[int] = []
    abstain: bool = False  # a blank ballot: takes part, chooses nobody (candidate_ids must be empty)


class ReceiptOut(Schema):
    receipt: str | None  # a secret ballot's receipt code; None for a named ballot
    named: bool = False


class NamedBallotOut(Schema):
    voter: str
    building: str
    units: list[str]
    area: str
    voted: bool
    choices: list[int] | None  # after the close only
    channel: str | None


class BoxOut(Schema):
    receipt: str
    choices: list[int]


@router.get("/elections", response=Page[ElectionOut])
@paged
def elections(request: HttpRequest):
    return selectors.elections_visible_to(user=request.user)


@router.get("/elections/{election_id}", response=ElectionOut)
def election(request: HttpRequest, election_id: int):
    return selectors.access_election(user=request.user, election_id=election_id)


@router.post("/elections/{election_id}/vote", response={201: ReceiptOut})
def vote(request: HttpRequest, election_id: int, payload: VoteIn):
    e = selectors.access_election(user=request.user, election_id=election_id)
    receipt = voting.election_vote(
        user=request.user, election=e, candidate_ids=payload.candidate_ids, abstain=payload.abstain
    )
    return Status(201, {"receipt": receipt, "named": e.is_named})


def _get(model, pk: int, field: str):
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise Invalid("不存在。", "Not found.", fields={field: "无效"})
    return obj


@router.post("/elections", response={201: ElectionOut})
def election_create(request: HttpRequest, payload: ElectionIn):
    """Create an election (organiser staff). 环物会: exactly 6 seats; the appointed members come next."""
    e = services.election_create(
        actor=request.user,
        organiser=_get(Party, payload.organiser_id, "organiser_id"),
        place=_get(Place, payload.place_id, "place_id"),
        kind=payload.kind,
        electorate=payload.electorate,
        title=payload.title,
        description=payload.description,
        seats=payload.seats,
        max_choices=payload.max_choices,
        alternates=payload.alternates,
        min_nominators=payload.min_nominators,
    )
    return Status(201, e)


@router.post("/elections/{election_id}/appointed", response={201: AppointedOut})
def appointed(request: HttpRequest, election_id: int, payload: AppointedIn):
    e = selectors.access_election(user=request.user, election_id=election_id)
    member = services.appointed_add(
        actor=request.user,
        election=e,
        role=payload.role,
        name=payload.name,
        party=_get(Party, payload.party_id, "party_id"),
    )
    return Status(201, member)


@router.post("/elections/{election_id}/candidates", response={201: CandidateOut})
def nominate(request: HttpRequest, election_id: int, payload: NominateIn):
    """Nominate: `self` (a verified resident; an owner in an owners' election), `owners` (at least
    `min_nominators` names in `nominators`), `party_org` or `residents_committee` (their staff)."""
    e = selectors.access_election(user=request.user, election_id=election_id)
    building = None
    if payload.building_id is not None:
        building = Place.objects.filter(pk=payload.building_id, kind=PlaceKind.BUILDING).first()
        if building is None:
            raise Invalid("所在楼栋无效。", "Invalid building.", fields={"building_id": "无效"})
    candidate = services.candidate_nominate(
        actor=request.user,
        election=e,
        route=payload.route,
        statement=payload.statement,
        name=payload.name,
        building=building,
        nominators=payload.nominators,
    )
    return Status(201, candidate)


@router.post("/elections/{election_id}/publicise", response=ElectionOut)
def publicise(request: HttpRequest, election_id: int, payload: PubliciseIn):
    """Close nominations and post the candidates; voting may open no sooner than 7 days from now."""
    e = selectors.access_election(user=request.user, election_id=election_id)
    return services.election_publicise(
        actor=request.user, election=e, opens_at=payload.opens_at, closes_at=payload.closes_at
    )


@router.post("/elections/{election_id}/open", response=ElectionOut)
def open_voting(request: HttpRequest, election_id: int):
    e = selectors.access_election(user=request.user, election_id=election_id)
    return services.election_open(actor=request.user, election=e)


@router.get("/elections/{election_id}/roll", response=Page[RollOut])
@paged
def roll(request: HttpRequest, election_id: int):
    """The roll (who may vote and *that* they voted): the organiser's staff only."""
    e = selectors.access_election_to_organise(user=request.user, election_id=election_id)
    return selectors.roll_for(user=request.user, election=e)


@router.post("/elections/{election_id}/roll", response={201: RollOut})
def roll_add(request: HttpRequest, election_id: int, payload: RollIn):
    """Add a residents' representative (a verified resident of the place, found by phone)."""
    e = selectors.access_election_to_organise(user=request.user, election_id=election_id)
    user = User.objects.filter(phone=payload.phone.strip()).first()
    if user is None:
        raise Invalid("没有这个手机号的用户。", "No user with that phone.", fields={"phone": "无效"})
    return Status(201, services.representative_add(actor=request.user, election=e, user=user))


@router.delete("/elections/{election_id}/roll/{entry_id}", response={204: None})
def roll_remove(request: HttpRequest, election_id: int, entry_id: int):
    e = selectors.access_election_to_organise(user=request.user, election_id=election_id)
    services.representative_remove(actor=request.user, election=e, entry_id=entry_id)
    return Status(204, None)


@router.post("/elections/{election_id}/paper", response={201: ReceiptOut})
def paper(request: HttpRequest, election_id: int, payload: PaperIn):
    """Enter a paper ballot at the polling station: tick the voter on the roll, drop the choices in the box."""
    e = selectors.access_election_to_organise(user=request.user, election_id=election_id)
    receipt = voting.election_enter_paper(
        actor=request.user,
        election=e,
        roll_entry_id=payload.roll_entry_id,
        candidate_ids=payload.candidate_ids,
        abstain=payload.abstain,
    )
    return Status(201, {"receipt": receipt, "named": False})


@router.post("/elections/{election_id}/named-paper", response={201: ReceiptOut})
def named_paper(
    request: HttpRequest,
    election_id: int,
    roll_entry_id: Form[int],
    candidate_ids: Form[list[int]] = [],  # noqa: B006 (ninja reads the default, never mutates it)
    channel: Form[str] = "paper",
    proxy_name: Form[str] = "",
    abstain: Form[bool] = False,
):
    """Owners'-committee election (named): multipart `roll_entry_id`, `candidate_ids` (repeated), `channel`
    (paper | proxy), `proxy_name` and the `document` file — the photo of the signed ballot or the written
    authorisation (required, 422 without it)."""
    e = selectors.access_election_to_organise(user=request.user, election_id=election_id)
    voting.election_enter_paper(
        actor=request.user,
        election=e,
        roll_entry_id=roll_entry_id,
        candidate_ids=candidate_ids or [],
        abstain=abstain,
        document=request.FILES.get("document"),
        channel=channel,
        proxy_name=proxy_name,
    )
    return Status(201, {"receipt": None, "named": True})


@router.get("/elections/{election_id}/ballots", response=Page[NamedBallotOut])
def named_ballots(request: HttpRequest, election_id: int, paging: Query[PageQuery]):
    """Owners'-committee election: the named ballot list, for the compound's owners and the organiser (403
    otherwise); whom each owner chose only after the close."""
    e = selectors.access_election(user=request.user, election_id=election_id)

    def present(rows: list) -> list:
        return [
            {
                "voter": line.entry.name,
                "building": line.entry.building,
                "units": [label for label, _area in line.entry.units],
                "area": str(line.entry.area or ""),
                "voted": line.voted,
                "choices": line.ballot.choices if line.ballot else None,
                "channel": line.ballot.channel if line.ballot else None,
            }
            for line in selectors.named_lines(rows, election=e)
        ]

    # A keyset page of the roll: only the page's entries (and their ballots) are loaded.
    return api_page(selectors.named_ballot_list(user=request.user, election=e), paging, present=present)


@router.post("/elections/{election_id}/close", response=ElectionOut)
def close(request: HttpRequest, election_id: int):
    e = selectors.access_election(user=request.user, election_id=election_id)
    return services.election_close(actor=request.user, election=e)


@router.get("/elections/{election_id}/box", response=Page[BoxOut])
@paged
def box(request: HttpRequest, election_id: int, receipt: str = ""):
    """The whole published ballot box after the close (empty before); `?receipt=` finds one ballot."""
    e = selectors.access_election(user=request.user, election_id=election_id)
    return selectors.published_box(election=e, receipt=receipt)
