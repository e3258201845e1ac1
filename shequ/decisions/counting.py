"""How an owners' decision is counted (Civil Code art. 278; SPC interpretation on 建筑物区分所有权 arts. 8–9).

Pure functions on integers: areas are handled in hundredths of a square metre (the register keeps two
decimals), shares are compared by cross-multiplying, never with floats.

- Quorum: voters holding at least 2/3 of the exclusive area **and** at least 2/3 of the owners took part.
- Art. 278 items 6–8 (raising the fund, rebuilding, changing the use of common parts): at least 3/4 of the
  participating area **and** at least 3/4 of the participating owners agree.
- Every other matter: **more than** 1/2 of the participating area and of the participating owners agree.
- Abstentions take part (they count for the quorum and in the denominator) but do not agree.
- Headcount: each voter on the roll is one owner — the register already makes all of the developer's
  unsold units one owner and a buyer of several units one owner, with all of their area.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from fractions import Fraction

QUORUM = Fraction(2, 3)
MAJOR = Fraction(3, 4)
SIMPLE = Fraction(1, 2)

AGREE, DISAGREE, ABSTAIN = "agree", "disagree", "abstain"


def centi(area: Decimal | int | str) -> int:
    """Square metres (two decimals) → an integer count of hundredths; refuses anything finer."""
    value = Decimal(area) * 100
    if value != value.to_integral_value():
        raise ValueError(f"area {area} has more than two decimals")
    return int(value)


def at_least(part: int, whole: int, share: Fraction) -> bool:
    """part / whole >= share, exactly (False when whole is 0)."""
    return whole > 0 and part * share.denominator >= share.numerator * whole


def more_than(part: int, whole: int, share: Fraction) -> bool:
    """part / whole > share, exactly (False when whole is 0)."""
    return whole > 0 and part * share.denominator > share.numerator * whole


@dataclass(frozen=True)
class Tally:
    major: bool
    total_owners: int
    total_area: int  # hundredths of m²
    agree_owners: int
    agree_area: int
    disagree_owners: int
    disagree_area: int
    abstain_owners: int
    abstain_area: int

    @property
    def voted_owners(self) -> int:
        return self.agree_owners + self.disagree_owners + self.abstain_owners

    @property
    def voted_area(self) -> int:
        return self.agree_area + self.disagree_area + self.abstain_area

    @property
    def quorum_area(self) -> bool:
        return at_least(self.voted_area, self.total_area, QUORUM)

    @property
    def quorum_owners(self) -> bool:
        return at_least(self.voted_owners, self.total_owners, QUORUM)

    @property
    def quorum(self) -> bool:
        return self.quorum_area and self.quorum_owners

    def _agrees(self, part: int, whole: int) -> bool:
        return at_least(part, whole, MAJOR) if self.major else more_than(part, whole, SIMPLE)

    @property
    def agree_area_ok(self) -> bool:
        return self._agrees(self.agree_area, self.voted_area)

    @property
    def agree_owners_ok(self) -> bool:
        return self._agrees(self.agree_owners, self.voted_owners)

    @property
    def passed(self) -> bool:
        return self.quorum and self.agree_area_ok and self.agree_owners_ok

    @property
    def outcome(self) -> str:
        if not self.quorum:
            return "no_quorum"
        return "passed" if self.passed else "rejected"

    def as_dict(self) -> dict:
        """Stored on the decision when it closes; areas as m² strings so the record reads plainly."""
        out: dict = asdict(self)
        for key in list(out):
            if key.endswith("_area"):
                out[key] = str(Decimal(out[key]) / 100)
        out.update(
            voted_owners=self.voted_owners,
            voted_area=str(Decimal(self.voted_area) / 100),
            quorum_area=self.quorum_area,
            quorum_owners=self.quorum_owners,
            quorum=self.quorum,
            agree_area_ok=self.agree_area_ok,
            agree_owners_ok=self.agree_owners_ok,
            outcome=self.outcome,
        )
        return out


def tally(*, voters: Mapping[int, int], ballots: Iterable[tuple[int, str]], major: bool) -> Tally:
    """`voters`: voter id → area in hundredths; `ballots`: (voter id, choice). One ballot per voter
    (the database guarantees it; a repeated voter here is an error, not a second vote)."""
    owners = {AGREE: 0, DISAGREE: 0, ABSTAIN: 0}
    area = {AGREE: 0, DISAGREE: 0, ABSTAIN: 0}
    seen: set[int] = set()
    for voter, choice in ballots:
        if voter in seen:
            raise ValueError(f"voter {voter} has two ballots")
        seen.add(voter)
        owners[choice] += 1
        area[choice] += voters[voter]
    return Tally(
        major=major,
        total_owners=len(voters),
        total_area=sum(voters.values()),
        agree_owners=owners[AGREE],
        agree_area=area[AGREE],
        disagree_owners=owners[DISAGREE],
        disagree_area=area[DISAGREE],
        abstain_owners=owners[ABSTAIN],
        abstain_area=area[ABSTAIN],
    )


@dataclass(frozen=True)
class Turnout:
    """What everyone eligible sees while voting runs: participation against the quorum, not the result."""

    total_owners: int
    total_area: int
    voted_owners: int
    voted_area: int

    @property
    def quorum_reached(self) -> bool:
        return at_least(self.voted_area, self.total_area, QUORUM) and at_least(
            self.voted_owners, self.total_owners, QUORUM
        )

    def percent(self, part: int, whole: int) -> str:
        """A display percentage with one decimal, computed exactly (rounded half up)."""
        if not whole:
            return "0.0"
        tenths = Fraction(part * 1000, whole)
        return str(Decimal(int(tenths + Fraction(1, 2))) / 10)

    @property
    def area_percent(self) -> str:
        return self.percent(self.voted_area, self.total_area)

    @property
    def owners_percent(self) -> str:
        return self.percent(self.voted_owners, self.total_owners)

    def as_dict(self) -> dict:
        """What the API shows (decisions and owners'-committee elections alike); areas as m² strings."""
        return {
            "total_owners": self.total_owners,
            "voted_owners": self.voted_owners,
            "total_area": str(Decimal(self.total_area) / 100),
            "voted_area": str(Decimal(self.voted_area) / 100),
            "owners_percent": self.owners_percent,
            "area_percent": self.area_percent,
            "quorum_reached": self.quorum_reached,
        }
