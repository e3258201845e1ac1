"""The counting rules at their exact boundaries, each case computed by hand (areas in hundredths of m²)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shequ.decisions.counting import Turnout, centi, tally


def votes(*choices):
    return list(enumerate(choices))


def test_exactly_two_thirds_quorum_passes():
    # 3 owners of 100 m² each; 2 take part (200/300 of the area, 2/3 of the owners) and agree.
    t = tally(voters={0: 10000, 1: 10000, 2: 10000}, ballots=votes("agree", "agree"), major=False)
    assert (t.voted_area, t.total_area, t.voted_owners, t.total_owners) == (20000, 30000, 2, 3)
    assert t.quorum and t.passed and t.outcome == "passed"


def test_just_under_two_thirds_of_the_area_fails_the_quorum():
    # Headcount is exactly 2/3, but the non-voter owns 100.01 m²: 200.00 / 300.01 < 2/3.
    t = tally(voters={0: 10000, 1: 10000, 2: 10001}, ballots=votes("agree", "agree"), major=False)
    assert t.quorum_owners and not t.quorum_area
    assert t.outcome == "no_quorum"


def test_just_under_two_thirds_of_the_owners_fails_the_quorum():
    # 4 owners; the two voters own 300 of 400 m² (3/4 of the area) but are only 2/4 of the owners.
    t = tally(voters={0: 15000, 1: 15000, 2: 5000, 3: 5000}, ballots=votes("agree", "agree"), major=False)
    assert t.quorum_area and not t.quorum_owners and t.outcome == "no_quorum"


def test_exactly_half_fails_and_just_over_passes():
    # 4 owners of 100 m², all vote, 2 agree: exactly 1/2 of area and owners is not "more than half".
    half = tally(
        voters=dict.fromkeys(range(4), 10000),
        ballots=votes("agree", "agree", "disagree", "disagree"),
        major=False,
    )
    assert half.quorum and not half.passed and half.outcome == "rejected"
    # 5 owners of 100 m², all vote, 3 agree: 3/5 > 1/2 of both.
    over = tally(
        voters=dict.fromkeys(range(5), 10000),
        ballots=votes("agree", "agree", "agree", "disagree", "disagree"),
        major=False,
    )
    assert over.passed
    # Area just over half (200.01 of 400.01) but owners exactly half: still fails (both are needed).
    area_only = tally(
        voters={0: 10001, 1: 10000, 2: 10000, 3: 10000},
        ballots=votes("agree", "agree", "disagree", "disagree"),
        major=False,
    )
    assert area_only.agree_area_ok and not area_only.agree_owners_ok and not area_only.passed


def test_exactly_three_quarters_passes_for_major_matters_and_just_under_fails():
    # Raising the fund: 4 owners of 100 m², all vote, 3 agree = exactly 3/4 of area and owners.
    exact = tally(
        voters=dict.fromkeys(range(4), 10000),
        ballots=votes("agree", "agree", "agree", "disagree"),
        major=True,
    )
    assert exact.passed
    # The one who disagrees owns 100.01 m²: 300.00 / 400.01 < 3/4 of the area.
    under = tally(
        voters={0: 10000, 1: 10000, 2: 10000, 3: 10001},
        ballots=votes("agree", "agree", "agree", "disagree"),
        major=True,
    )
    assert under.agree_owners_ok and not under.agree_area_ok and not under.passed
    # The same 3/4 is plenty for an ordinary matter.
    assert tally(
        voters=dict.fromkeys(range(4), 10000),
        ballots=votes("agree", "agree", "agree", "disagree"),
        major=False,
    ).passed


def test_abstentions_take_part_but_do_not_agree():
    # 4 owners vote: 2 agree, 1 disagrees, 1 abstains. Agree = 2/4 = exactly half → rejected, although
    # 2 of the 3 who expressed a view agree. The abstainer counts for the quorum.
    t = tally(
        voters=dict.fromkeys(range(4), 10000),
        ballots=votes("agree", "agree", "disagree", "abstain"),
        major=False,
    )
    assert t.voted_owners == 4 and t.abstain_owners == 1 and t.quorum
    assert not t.passed
    # 3 voters of 3: 2 agree, 1 abstains → 2/3 > 1/2 passes; for a major matter 2/3 < 3/4 fails.
    assert tally(
        voters=dict.fromkeys(range(3), 10000), ballots=votes("agree", "agree", "abstain"), major=False
    ).passed
    assert not tally(
        voters=dict.fromkeys(range(3), 10000), ballots=votes("agree", "agree", "abstain"), major=True
    ).passed


def test_area_and_headcount_disagreeing():
    # 5 owners: one owns 300 m², four own 50 m² each (500 m²). Everyone votes.
    voters = {0: 30000, 1: 5000, 2: 5000, 3: 5000, 4: 5000}
    big_agrees = tally(
        voters=voters, ballots=votes("agree", "disagree", "disagree", "disagree", "disagree"), major=False
    )
    assert big_agrees.agree_area_ok and not big_agrees.agree_owners_ok and big_agrees.outcome == "rejected"
    small_agree = tally(
        voters=voters, ballots=votes("disagree", "agree", "agree", "agree", "agree"), major=False
    )
    assert small_agree.agree_owners_ok and not small_agree.agree_area_ok and small_agree.outcome == "rejected"


def test_one_ballot_per_voter_and_no_floats():
    with pytest.raises(ValueError):
        tally(voters={0: 100}, ballots=[(0, "agree"), (0, "agree")], major=False)
    with pytest.raises(ValueError):
        centi(Decimal("1.001"))
    assert centi("88.50") == 8850


def test_turnout_percentages_are_exact():
    t = Turnout(total_owners=3, total_area=30000, voted_owners=2, voted_area=20000)
    assert (t.owners_percent, t.area_percent, t.quorum_reached) == ("66.7", "66.7", True)
    assert Turnout(total_owners=0, total_area=0, voted_owners=0, voted_area=0).owners_percent == "0.0"
