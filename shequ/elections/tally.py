"""The count of an election from the database, with the pure functions of `elections.counting` (which
anyone can rerun on the published box)."""

from __future__ import annotations

from shequ.elections import counting
from shequ.elections.models import BoxBallot, Election


def election_tally(*, election: Election) -> counting.Outcome:
    ballots = BoxBallot.objects.filter(election=election).values_list("choices", flat=True)
    candidates = election.candidates.filter(withdrawn=False).values_list("pk", flat=True)
    return counting.elect(
        counting.count(ballots, candidates), seats=election.seats, alternates=election.alternates
    )
