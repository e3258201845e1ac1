"""Reads of elections. Everything about an election is public except the roll's personal details; the
ballot box is published only after the close (before, only its size is known)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from shequ.core.errors import Forbidden, NotFound
from shequ.decisions.rules import acts_as_organiser, is_owner_in
from shequ.directory.models import Party, PartyKind, Place, PlaceKind
from shequ.elections import counting
from shequ.elections.models import BoxBallot, Election, ElectionStatus, NamedBallot, RollEntry
from shequ.elections.tally import owners_tally


def elections_visible_to(*, user) -> QuerySet[Election]:
    return Election.objects.select_related("organiser", "place").order_by("-created_at", "-id")


def access_election(*, user, election_id: int) -> Election:
    election = Election.objects.select_related("organiser", "place").filter(pk=election_id).first()
    if election is None:
        raise NotFound("没有找到这次选举。", "No such election.")
    return election


def access_election_to_organise(*, user, election_id: int) -> Election:
    """The election, or Forbidden unless the user acts for its organiser (roll, paper ballots)."""
    election = access_election(user=user, election_id=election_id)
    if not is_organiser(user=user, election=election):
        raise Forbidden(
            "只有组织单位的工作人员可以进行此操作。",
            "Only the organising party's staff may do this.",
            code="not_organiser",
        )
    return election


def roll_by_building(*, election: Election) -> list[tuple[str, list[RollEntry]]]:
    """The roll grouped by building, for the organiser's roll and paper-ballot pages (one query)."""
    groups: dict[str, list[RollEntry]] = {}
    for entry in RollEntry.objects.filter(election=election).order_by("building", "name", "id"):
        groups.setdefault(entry.building, []).append(entry)
    return list(groups.items())


def organiser_choices(*, election: Election) -> dict:
    """What the organiser's nomination and appointment forms offer: the buildings of the place and the
    parties (residents' committee, police) serving it."""
    place = election.place
    buildings = Place.objects.filter(kind=PlaceKind.BUILDING).filter(
        Q(pk=place.pk) | Q(compound_id=place.pk) | Q(community_id=place.pk)
    )
    parties = Party.objects.filter(
        kind__in=[PartyKind.RESIDENTS_COMMITTEE, PartyKind.POLICE_STATION],
        served__place_id__in=[i for i in place.ancestor_ids() if i],
    ).distinct()
    return {
        "buildings": list(buildings.select_related("parent").order_by("compound_id", "sort", "id")[:300]),
        "parties": list(parties.order_by("kind", "name")),
    }


def is_organiser(*, user, election: Election) -> bool:
    return acts_as_organiser(user=user, party_id=election.organiser_id)


def my_roll_entry(*, user, election: Election) -> RollEntry | None:
    if not user.is_authenticated:
        return None
    return RollEntry.objects.filter(election=election, user=user).first()


def open_for_user(*, user) -> list[tuple[Election, bool]]:
    if not user.is_authenticated:
        return []
    entries = RollEntry.objects.filter(user=user, election__status=ElectionStatus.VOTING).select_related(
        "election"
    )
    return [(e.election, e.voted) for e in entries[:5]]


def published_box(*, election: Election, receipt: str = "") -> QuerySet[BoxBallot]:
    """The published ballot box (after the close; empty before) ordered by receipt, or the one ballot of a
    receipt, as an ordered queryset (the page and the API page it by keyset; the recount reads it whole)."""
    qs = BoxBallot.objects.filter(election=election).order_by("receipt")  # the receipt is the key
    if election.status != ElectionStatus.CLOSED:
        return qs.none()
    return qs.filter(receipt=receipt.strip().upper()) if receipt else qs


def recount(*, election: Election) -> counting.Outcome:
    """Anyone's recount of the published box, with the same pure functions the close used."""
    ballots = list(published_box(election=election).values_list("choices", flat=True))
    return counting.elect(
        counting.count(ballots, election.candidates.filter(withdrawn=False).values_list("pk", flat=True)),
        seats=election.seats,
        alternates=election.alternates,
    )


def roll_summary(*, election: Election) -> dict:
    qs = RollEntry.objects.filter(election=election)
    box = NamedBallot if election.is_named else BoxBallot
    return {
        "voters": qs.count(),
        "voted": qs.filter(voted=True).count(),
        "ballots": box.objects.filter(election=election).count(),
    }


def roll_for(*, user, election: Election) -> QuerySet[RollEntry]:
    """The roll (who may vote and *that* they voted) for the organiser; residents see counts only."""
    if not is_organiser(user=user, election=election):
        return RollEntry.objects.none()
    return RollEntry.objects.filter(election=election).order_by("building", "name")


def search_q(term: str) -> Q:
    return Q(name__contains=term)


# --- owners'-committee elections (named ballots, docs/decisions/0006) -------------------------------------


def may_see_named(*, user, election: Election) -> bool:
    """The named ballot list is for the owners of the compound and the organiser (owners' right to know, as
    for an owners' decision); the public sees the counts only."""
    if not (election.is_named and user.is_authenticated):
        return False
    return (
        user.is_superuser
        or is_organiser(user=user, election=election)
        or is_owner_in(user=user, compound_id=election.place_id)
    )


@dataclass
class NamedLine:
    entry: RollEntry
    voted: bool
    ballot: NamedBallot | None  # shown only once the election is closed
    chosen: list[str]


def named_ballot_list(*, user, election: Election) -> QuerySet[RollEntry]:
    """Every owner on the roll with their units and area, in building and name order, as an ordered
    queryset (the page and the API page it by keyset; the export reads it whole). Shown through
    `named_lines`: whether each voted and (after the close) for whom."""
    if not may_see_named(user=user, election=election):
        raise Forbidden(
            "记名选票清单只对本小区业主公开。",
            "The named ballot list is open to the compound's owners only.",
            code="owners_only",
        )
    return RollEntry.objects.filter(election=election).order_by("building", "name", "id")


def named_lines(entries: Iterable[RollEntry], *, election: Election) -> list[NamedLine]:
    """Rows of `named_ballot_list` (a page, or all) as shown: two queries for any number of rows (the
    candidates' names and, after the close, these entries' ballots)."""
    entries = list(entries)
    if election.status != ElectionStatus.CLOSED:
        return [NamedLine(entry=e, voted=e.voted, ballot=None, chosen=[]) for e in entries]
    names = dict(election.candidates.values_list("pk", "name"))
    ballots = {b.voter_id: b for b in NamedBallot.objects.filter(election=election, voter__in=entries)}
    out = []
    for entry in entries:
        shown = ballots.get(entry.pk)
        chosen = [names[c] for c in shown.choices] if shown else []
        out.append(NamedLine(entry=entry, voted=entry.voted, ballot=shown, chosen=chosen))
    return out


def my_named_ballot(*, user, election: Election) -> NamedBallot | None:
    if not (election.is_named and user.is_authenticated):
        return None
    return NamedBallot.objects.filter(election=election, voter__user=user).select_related("voter").first()


def named_recount(*, user, election: Election) -> counting.OwnersOutcome | None:
    """An owner's recount from the named ballots they can inspect (after the close), with the same functions."""
    if election.status != ElectionStatus.CLOSED or not may_see_named(user=user, election=election):
        return None
    return owners_tally(election=election)
