"""Counting an election: pure functions, so that anyone can recount the published ballot box.

- Each ballot names 0..max_choices distinct candidates; a candidate's score is the number of ballots naming
  them. A blank ballot (全部弃权, asked for explicitly) takes part — turnout and, in an owners'-committee
  election, the quorum — and agrees with nobody.
- Candidates are ranked by score. The `seats` highest are elected.
- **Tie at the last seat**: when candidates with the same score straddle the last seat, none of the tied
  candidates is declared elected for the seats they compete for; those seats stay open for a run-off among
  the tied candidates only (另行选举), which the organiser runs as a new election. Candidates ranked strictly
  above the tie are elected.
- **Alternates (候补)**: the next `alternates` candidates after the elected and the tied ones, in order of
  score; alternates with equal scores share a rank (an alternate of a better rank moves up first, equal
  ranks are settled by the committee's rules when a seat falls vacant).
- A candidate with no vote is never elected nor an alternate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from shequ.decisions.counting import ABSTAIN, AGREE, Tally, tally


def count(ballots: Iterable[list[int]], candidates: Iterable[int]) -> dict[int, int]:
    scores = dict.fromkeys(candidates, 0)
    for choices in ballots:
        for cid in choices:
            scores[cid] += 1
    return scores


@dataclass
class Outcome:
    scores: dict[int, int]
    ranking: list[tuple[int, int, int]] = field(default_factory=list)  # (rank, candidate, score)
    elected: list[int] = field(default_factory=list)
    tied: list[int] = field(default_factory=list)
    open_seats: int = 0
    alternates: list[tuple[int, int]] = field(default_factory=list)  # (alternate rank, candidate)

    def as_dict(self) -> dict:
        return {
            "scores": {str(k): v for k, v in self.scores.items()},
            "ranking": [list(r) for r in self.ranking],
            "elected": self.elected,
            "tied": self.tied,
            "open_seats": self.open_seats,
            "alternates": [list(a) for a in self.alternates],
        }


def elect(scores: dict[int, int], *, seats: int, alternates: int) -> Outcome:
    # Rank by score (competition ranking: 1, 2, 2, 4); candidates with the same score share a rank.
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    ranking: list[tuple[int, int, int]] = []
    for i, (cid, score) in enumerate(ordered):
        rank = ranking[-1][0] if ranking and ranking[-1][2] == score else i + 1
        ranking.append((rank, cid, score))
    out = Outcome(scores=dict(scores), ranking=ranking)
    with_votes = [(rank, cid, score) for rank, cid, score in ranking if score > 0]
    elected: list[int] = []
    tied: list[int] = []
    i = 0
    while i < len(with_votes) and len(elected) < seats:
        score = with_votes[i][2]
        group = [cid for _r, cid, s in with_votes if s == score]
        if len(elected) + len(group) <= seats:
            elected += group
        else:
            tied = group
        i += len(group)
        if tied:
            break
    out.elected = elected
    out.tied = tied
    out.open_seats = seats - len(elected)
    rest = [(rank, cid) for rank, cid, score in with_votes if cid not in elected and cid not in tied]
    alt: list[tuple[int, int]] = []
    for _rank, cid in rest:
        if len(alt) >= alternates:
            break
        previous = alt[-1] if alt else None
        same = previous is not None and scores[previous[1]] == scores[cid]
        alt.append((previous[0] if same and previous else len(alt) + 1, cid))
    out.alternates = alt
    return out


# --- owners'-committee elections: Civil Code art. 278 (item 3) -------------------------------------------
#
# Each candidate is an ordinary matter of the owners: the participation quorum (>= 2/3 of the area AND of the
# owners on the roll took part) and, for the candidate, MORE than 1/2 of the participating area AND of the
# participating owners agreeing. A ballot naming the candidate agrees; a cast ballot that does not name them
# took part without agreeing (counted like an abstention). The arithmetic is `decisions.counting.tally`
# itself, once per candidate — the same integers, the same cross-multiplication, no second copy.
# Among the candidates who pass, seats go to the most agreeing owners (votes), with the ties and alternates
# of `elect` above; a candidate who does not pass is neither elected nor an alternate.


@dataclass
class OwnersOutcome:
    participation: Tally
    tallies: dict[int, Tally]
    outcome: Outcome

    @property
    def quorum(self) -> bool:
        return self.participation.quorum

    @property
    def passing(self) -> list[int]:
        return [cid for cid, t in self.tallies.items() if t.passed]

    def as_dict(self) -> dict:
        p = self.participation
        out = self.outcome.as_dict()
        out.update(
            method="owners_278",
            quorum=p.quorum,
            quorum_area=p.quorum_area,
            quorum_owners=p.quorum_owners,
            total_owners=p.total_owners,
            total_area=str(Decimal(p.total_area) / 100),
            voted_owners=p.voted_owners,
            voted_area=str(Decimal(p.voted_area) / 100),
            passing=self.passing,
            candidates={
                str(cid): {
                    "agree_owners": t.agree_owners,
                    "agree_area": str(Decimal(t.agree_area) / 100),
                    "agree_owners_ok": t.agree_owners_ok,
                    "agree_area_ok": t.agree_area_ok,
                    "passed": t.passed,
                }
                for cid, t in self.tallies.items()
            },
        )
        return out


def owners_elect(
    *,
    voters: Mapping[int, int],
    ballots: Iterable[tuple[int, list[int]]],
    candidates: Iterable[int],
    seats: int,
    alternates: int,
) -> OwnersOutcome:
    """`voters`: roll entry → area in hundredths of m² (one entry per owner: the register's headcount rule);
    `ballots`: (roll entry, the candidates it names)."""
    cast = [(voter, set(choices)) for voter, choices in ballots]
    participation = tally(voters=voters, ballots=[(v, ABSTAIN) for v, _c in cast], major=False)
    tallies = {
        cid: tally(voters=voters, ballots=[(v, AGREE if cid in c else ABSTAIN) for v, c in cast], major=False)
        for cid in candidates
    }
    scores = {cid: t.agree_owners for cid, t in tallies.items() if t.passed} if participation.quorum else {}
    outcome = elect(scores, seats=seats, alternates=alternates)
    outcome.scores = {cid: t.agree_owners for cid, t in tallies.items()}
    return OwnersOutcome(participation=participation, tallies=tallies, outcome=outcome)
