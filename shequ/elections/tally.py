"""The count of an election from the database, with the pure functions of `elections.counting` (which anyone
can rerun: on the published box for a secret election, on the owners' named ballots for an owners'-committee
election)."""

from __future__ import annotations

from django.db.models import Count, Sum

from shequ.decisions.counting import Turnout, centi
from shequ.elections import counting
from shequ.elections.models import BoxBallot, Election, NamedBallot, RollEntry


def _candidates(election: Election) -> list[int]:
    return list(election.candidates.filter(withdrawn=False).values_list("pk", flat=True))


def owners_tally(*, election: Election) -> counting.OwnersOutcome:
    """Art. 278 count of an owners'-committee election: three queries, then exact integer arithmetic."""
    voters = {
        pk: centi(area or 0)
        for pk, area in RollEntry.objects.filter(election=election).values_list("pk", "area")
    }
    ballots = NamedBallot.objects.filter(election=election).values_list("voter_id", "choices")
    return counting.owners_elect(
        voters=voters,
        ballots=ballots,
        candidates=_candidates(election),
        seats=election.seats,
        alternates=election.alternates,
    )


def election_tally(*, election: Election) -> counting.Outcome:
    if election.is_named:
        return owners_tally(election=election).outcome
    ballots = BoxBallot.objects.filter(election=election).values_list("choices", flat=True)
    return counting.elect(
        counting.count(ballots, _candidates(election)), seats=election.seats, alternates=election.alternates
    )


def election_result(*, election: Election) -> dict:
    """What the close stores: the outcome, and for an owners'-committee election the area and headcount of the
    participation and of each candidate's agreement."""
    if election.is_named:
        return owners_tally(election=election).as_dict()
    result = election_tally(election=election).as_dict()
    result["method"] = "secret"
    return result


def election_turnout(*, election: Election) -> Turnout:
    """Participation against the 2/3 quorum (owners and area), shown while voting runs — never the running
    result. Two aggregate queries."""
    roll = RollEntry.objects.filter(election=election).aggregate(n=Count("id"), area=Sum("area"))
    voted = NamedBallot.objects.filter(election=election).aggregate(n=Count("id"), area=Sum("voter__area"))
    return Turnout(
        total_owners=roll["n"] or 0,
        total_area=centi(roll["area"] or 0),
        voted_owners=voted["n"] or 0,
        voted_area=centi(voted["area"] or 0),
    )
