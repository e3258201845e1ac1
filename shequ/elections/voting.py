"""Ballots of an election: the voter casts online, staff enter a paper ballot at the polling station.

This is the one module that writes the ballot box. See `_drop_in_box` for how secrecy is kept.
"""

from __future__ import annotations

import random
import secrets

from django.db import transaction

from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.decisions.rules import check_organiser
from shequ.elections.models import BoxBallot, Election, ElectionStatus, RollEntry

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_receipt() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _check_choices(election: Election, candidate_ids: list[int]) -> list[int]:
    ids = sorted({int(c) for c in candidate_ids})
    if len(ids) != len(candidate_ids):
        raise Invalid("同一候选人只能选一次。", "A candidate can be chosen once.", code="duplicate_choice")
    if not ids:
        raise Invalid("请至少选择一名候选人。", "Choose at least one candidate.", code="no_choice")
    if len(ids) > election.max_choices:
        raise Invalid(
            f"每票最多选{election.max_choices}人。",
            f"At most {election.max_choices} choices per ballot.",
            code="too_many_choices",
        )
    valid = set(election.candidates.filter(withdrawn=False, pk__in=ids).values_list("pk", flat=True))
    if valid != set(ids):
        raise Invalid("选择了不在候选人名单上的人。", "A choice is not a candidate.", code="not_a_candidate")
    return ids


def _drop_in_box(election: Election, choices: list[int]) -> str:
    """Put a ballot in the box and rewrite the whole box in a random order (same transaction).

    Why rewrite: a table keeps its insertion order (SQLite's rowid, PostgreSQL's ctid and the inserting
    transaction id xmin). The roll row marked `voted` in this transaction could be matched to the box row
    inserted in it. After the rewrite every box row of the election was written by this one transaction, in
    shuffled order, so nothing in the box orders or dates its ballots. The caller holds the election's row
    lock, so casts are serialised."""
    receipt = new_receipt()
    while BoxBallot.objects.filter(receipt=receipt).exists():  # 32^12 codes: practically never
        receipt = new_receipt()
    box = list(BoxBallot.objects.filter(election=election).values_list("receipt", "choices"))
    box.append((receipt, choices))
    random.SystemRandom().shuffle(box)
    BoxBallot.objects.filter(election=election).delete()
    BoxBallot.objects.bulk_create(
        [BoxBallot(receipt=r, election=election, choices=c) for r, c in box], batch_size=1000
    )
    return receipt


def _check_voting(election: Election) -> None:
    now = clock.now()
    if election.status != ElectionStatus.VOTING or (election.closes_at and now >= election.closes_at):
        raise Conflict("现在不在投票时间内。", "Voting is not open now.", code="not_voting")


def election_vote(*, user, election: Election, candidate_ids: list[int]) -> str:
    """Cast a secret ballot; returns the receipt code — shown to the voter once and stored nowhere else that
    names them."""
    with transaction.atomic():
        locked = Election.objects.select_for_update().get(pk=election.pk)
        _check_voting(locked)
        entry = (
            RollEntry.objects.filter(election=locked, user=user).first() if user.is_authenticated else None
        )
        if entry is None:
            raise Forbidden("选民名册上没有您。", "You are not on the roll.", code="not_on_roll")
        choices = _check_choices(locked, candidate_ids)
        if RollEntry.objects.filter(pk=entry.pk, voted=False).update(voted=True) != 1:
            raise Conflict("您已经投过票。", "You have already voted.", code="already_voted")
        return _drop_in_box(locked, choices)


def election_enter_paper(*, actor, election: Election, roll_entry_id: int, candidate_ids: list[int]) -> str:
    """A voter without an account votes on paper at the polling station: staff tick the roll and drop the
    ballot in the box (the receipt is written on the voter's slip)."""
    check_organiser(user=actor, party=election.organiser)
    with transaction.atomic():
        locked = Election.objects.select_for_update().get(pk=election.pk)
        _check_voting(locked)
        choices = _check_choices(locked, candidate_ids)
        if RollEntry.objects.filter(pk=roll_entry_id, election=locked, voted=False).update(voted=True) != 1:
            raise Conflict(
                "该选民已经投过票或不在名册上。", "Already voted or not on the roll.", code="already_voted"
            )
        return _drop_in_box(locked, choices)
