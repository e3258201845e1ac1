"""Ballots of an election: the voter casts online, staff enter a paper ballot at the polling station.

This is the one module that writes ballots: the secret box (see `_drop_in_box` for how secrecy is kept) and
the named ballots of owners'-committee elections (`NamedBallot`, docs/decisions/0006).
"""

from __future__ import annotations

import random
import secrets

from django.db import IntegrityError, transaction

from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.decisions.models import BallotChannel, Ownership
from shequ.decisions.roll import units_in
from shequ.decisions.rules import check_may_vote_as_resident, check_organiser
from shequ.decisions.uploads import check_document
from shequ.elections.models import BoxBallot, Election, ElectionStatus, NamedBallot, RollEntry

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_receipt() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _check_choices(election: Election, candidate_ids: list[int], *, abstain: bool = False) -> list[int]:
    """The choices of one ballot. `abstain`: the voter takes part but chooses nobody (a blank ballot,
    asked for explicitly so that a forgotten tick is an error, not a blank vote)."""
    if abstain:
        if candidate_ids:
            raise Invalid(
                "弃权票不能同时选择候选人。",
                "An abstaining ballot names no candidate.",
                code="abstain_with_choice",
            )
        return []
    ids = sorted({int(c) for c in candidate_ids})
    if len(ids) != len(candidate_ids):
        raise Invalid("同一候选人只能选一次。", "A candidate can be chosen once.", code="duplicate_choice")
    if not ids:
        raise Invalid(
            "请至少选择一名候选人；一个都不选请点“全部弃权”。",
            "Choose at least one candidate, or tap “Abstain from all”.",
            code="no_choice",
        )
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


def _co_owner(user, election: Election) -> bool:
    return Ownership.objects.filter(
        owner__user=user, unit__in=units_in(election.place), is_representative=False
    ).exists()


def _tick(entry_id: int, election: Election) -> bool:
    """Mark the roll entry as voted; False when it already was (or is not on this roll)."""
    return RollEntry.objects.filter(pk=entry_id, election=election, voted=False).update(voted=True) == 1


def _named(election: Election, voter_id: int, choices: list[int], *, channel: str, actor, **extra) -> None:
    """Store a named ballot (owners'-committee elections). The constraint `el_named_one_per_voter` makes a
    concurrent second ballot of the same owner impossible."""
    try:
        with transaction.atomic():
            NamedBallot.objects.create(
                election=election, voter_id=voter_id, choices=choices, channel=channel, cast_by=actor, **extra
            )
    except IntegrityError:
        raise Conflict(
            "这位业主已经投过票。", "This owner has already voted.", code="already_voted"
        ) from None


def election_vote(*, user, election: Election, candidate_ids: list[int], abstain: bool = False) -> str | None:
    """Cast a ballot online. A secret ballot returns its receipt code — shown to the voter once and stored
    nowhere else that names them. A named ballot (owners'-committee election) returns None: it is the
    owner's, on the list the compound's owners inspect after the close. `abstain`: a blank ballot — the voter
    takes part (turnout, quorum) and agrees with nobody."""
    if election.is_named:  # the precise 403: tenant, unverified, not an owner
        check_may_vote_as_resident(user=user, compound_id=election.place_id)
    with transaction.atomic():
        locked = election if election.is_named else Election.objects.select_for_update().get(pk=election.pk)
        _check_voting(locked)
        entry = (
            RollEntry.objects.filter(election=locked, user=user).first() if user.is_authenticated else None
        )
        if entry is None:
            if locked.is_named and _co_owner(user, locked):
                raise Forbidden(
                    "您的房屋由共有人中的代表人投票。",
                    "Your unit votes through its representative co-owner.",
                    code="not_representative",
                )
            raise Forbidden("选民名册上没有您。", "You are not on the roll.", code="not_on_roll")
        choices = _check_choices(locked, candidate_ids, abstain=abstain)
        if not _tick(entry.pk, locked):
            raise Conflict("您已经投过票。", "You have already voted.", code="already_voted")
        if locked.is_named:
            _named(locked, entry.pk, choices, channel=BallotChannel.ONLINE, actor=user)
            return None
        return _drop_in_box(locked, choices)


def election_enter_paper(
    *,
    actor,
    election: Election,
    roll_entry_id: int,
    candidate_ids: list[int],
    document=None,
    channel: str = BallotChannel.PAPER,
    proxy_name: str = "",
    abstain: bool = False,
) -> str | None:
    """A voter votes on paper at the polling station; staff tick the roll and enter the slip's choices.

    Secret election: the ballot drops in the box and the receipt is written on the voter's slip; no photo is
    accepted (a photo filed beside the tick would name the ballot). Owners'-committee election (named): the
    photo of the signed ballot — or, for a proxy, the written authorisation and the proxy's name — is
    required and kept with the ballot."""
    check_organiser(user=actor, party=election.organiser)
    proxy_name = (proxy_name or "").strip()
    if election.is_named:
        if channel not in (BallotChannel.PAPER, BallotChannel.PROXY):
            raise Invalid("方式应为纸质票或委托投票。", "Channel must be paper or proxy.", code="channel")
        if document is None:
            raise Invalid(
                "请上传签名选票的照片（委托投票请上传授权委托书）。",
                "Attach the photo of the signed ballot (for a proxy, the written authorisation).",
                code="document_required",
                fields={"document": "必填"},
            )
        check_document(document)
        if channel == BallotChannel.PROXY and not proxy_name:
            raise Invalid("请填写受托人姓名。", "Name the proxy.", fields={"proxy_name": "必填"})
    elif document is not None or channel != BallotChannel.PAPER:
        raise Invalid(
            "无记名选票不能拍照或委托登记。",
            "A secret ballot takes no photo and no proxy record.",
            code="secret_ballot",
        )
    with transaction.atomic():
        locked = election if election.is_named else Election.objects.select_for_update().get(pk=election.pk)
        _check_voting(locked)
        choices = _check_choices(locked, candidate_ids, abstain=abstain)
        if not _tick(roll_entry_id, locked):
            raise Conflict(
                "该选民已经投过票（含网上投票）或不在名册上。",
                "Already voted (possibly online) or not on the roll.",
                code="already_voted",
            )
        if locked.is_named:
            _named(
                locked,
                roll_entry_id,
                choices,
                channel=channel,
                actor=actor,
                document=document,
                proxy_name=proxy_name[:100],
            )
            return None
        return _drop_in_box(locked, choices)
