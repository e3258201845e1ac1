"""Ballots of owners' decisions: an owner votes online, staff enter paper and proxy ballots (one at a time or a
scanned stack), the organiser corrects one with a reason. One ballot per voter (`dec_ballot_one_per_voter`);
every ballot is an event on the record."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.decisions.models import (
    Ballot,
    BallotChannel,
    Choice,
    Decision,
    DecisionEvent,
    DecisionStatus,
    Ownership,
    RollVoter,
)
from shequ.decisions.roll import decision_units
from shequ.decisions.rules import check_may_vote_as_resident, check_organiser
from shequ.decisions.services import record_event
from shequ.decisions.uploads import check_document


def _check_voting(decision: Decision) -> None:
    now = clock.now()
    if decision.status != DecisionStatus.VOTING or (decision.closes_at and now >= decision.closes_at):
        raise Conflict("现在不在投票时间内。", "Voting is not open now.", code="not_voting")


def voter_of(*, user, decision: Decision) -> RollVoter | None:
    """The roll entry the user votes as (the representative owner of their units), if any."""
    return (
        RollVoter.objects.filter(decision=decision, owner__user=user).select_related("owner").first()
        if user.is_authenticated
        else None
    )


def _save_ballot(
    *, decision: Decision, voter: RollVoter, choice: str, channel: str, actor, **extra
) -> Ballot:
    if choice not in Choice.values:
        raise Invalid(
            "请选择同意、反对或弃权。", "Choose agree, disagree or abstain.", fields={"choice": "无效"}
        )
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                decision=decision, voter=voter, choice=choice, channel=channel, cast_by=actor, **extra
            )
    except IntegrityError:
        raise Conflict(
            "这位业主已经投过票，表决票一经提交不能更改。",
            "This owner has already voted; a cast ballot is final.",
            code="already_voted",
        )
    # The choice itself is not in the event: the per-unit list is where owners inspect ballots.
    record_event(decision, f"ballot_{channel}", actor, voter=voter.pk, ballot=ballot.pk)
    return ballot


def ballot_cast(*, user, decision: Decision, choice: str) -> Ballot:
    """An owner votes online. Final once cast."""
    check_may_vote_as_resident(user=user, compound_id=decision.compound_id)
    _check_voting(decision)
    voter = voter_of(user=user, decision=decision)
    if voter is None:
        co_owner = Ownership.objects.filter(
            owner__user=user, unit__in=decision_units(decision), is_representative=False
        ).exists()
        if co_owner:
            raise Forbidden(
                "您的房屋由共有人中的代表人投票。",
                "Your unit votes through its representative co-owner.",
                code="not_representative",
            )
        raise Forbidden(
            "这次表决的名册上没有您（只有涉及楼栋的业主参加）。",
            "You are not on this decision's roll.",
            code="not_on_roll",
        )
    with transaction.atomic():
        return _save_ballot(
            decision=decision, voter=voter, choice=choice, channel=BallotChannel.ONLINE, actor=user
        )


def ballot_enter(
    *,
    actor,
    decision: Decision,
    voter_id: int,
    choice: str,
    channel: str,
    document=None,
    proxy_name: str = "",
) -> Ballot:
    """Staff of the organiser enter a paper ballot (with its photo) or a proxy ballot (with the written
    authorisation attached)."""
    check_organiser(user=actor, party=decision.organiser)
    _check_voting(decision)
    if channel not in (BallotChannel.PAPER, BallotChannel.PROXY):
        raise Invalid(
            "方式应为纸质票或委托投票。", "Channel must be paper or proxy.", fields={"channel": "无效"}
        )
    if document is None:
        need = "纸质表决票的照片" if channel == BallotChannel.PAPER else "授权委托书"
        raise Invalid(
            f"请上传{need}。",
            "Attach the photo of the ballot or the authorisation.",
            fields={"document": "必填"},
        )
    proxy_name = (proxy_name or "").strip()
    if channel == BallotChannel.PROXY and not proxy_name:
        raise Invalid("请填写受托人姓名。", "Name the proxy.", fields={"proxy_name": "必填"})
    check_document(document)
    voter = RollVoter.objects.filter(decision=decision, pk=voter_id).first()
    if voter is None:
        raise Invalid("名册上没有这位业主。", "No such owner on the roll.", fields={"voter": "无效"})
    if Ballot.objects.filter(decision=decision, voter=voter).exists():
        raise Conflict(
            "这位业主已经投过票（含网上投票），不能再录入纸质票。",
            "This owner has already voted (possibly online); no second ballot.",
            code="already_voted",
        )
    with transaction.atomic():
        return _save_ballot(
            decision=decision,
            voter=voter,
            choice=choice,
            channel=channel,
            actor=actor,
            document=document,
            proxy_name=proxy_name[:100],
        )


def ballots_enter_batch(*, actor, decision: Decision, entries: list[tuple[int, str]], document) -> int:
    """Staff enter a stack of paper ballots scanned as one document (photo or PDF): every ballot of the stack
    refers to the one scan. All or none: a bad choice, an owner not on the roll, one already voted, or the
    same owner twice in the stack, and nothing is written. Set-based: a handful of queries for any size."""
    check_organiser(user=actor, party=decision.organiser)
    _check_voting(decision)
    if document is None:
        raise Invalid(
            "请上传纸质表决票的扫描件。", "Attach the scan of the ballots.", fields={"document": "必填"}
        )
    check_document(document)
    voter_ids = [v for v, _c in entries]
    if not entries or len(set(voter_ids)) != len(voter_ids):
        raise Invalid("每位业主只能有一张表决票。", "One ballot per owner.", code="already_voted")
    if any(c not in Choice.values for _v, c in entries):
        raise Invalid(
            "请选择同意、反对或弃权。", "Choose agree, disagree or abstain.", fields={"choice": "无效"}
        )
    on_roll = set(RollVoter.objects.filter(decision=decision, pk__in=voter_ids).values_list("pk", flat=True))
    if on_roll != set(voter_ids):
        raise Invalid("名册上没有这位业主。", "No such owner on the roll.", fields={"voter": "无效"})
    if Ballot.objects.filter(decision=decision, voter_id__in=voter_ids).exists():
        raise Conflict(
            "其中有业主已经投过票（含网上投票），不能再录入纸质票。",
            "An owner in the stack has already voted (possibly online); no second ballot.",
            code="already_voted",
        )
    field = Ballot._meta.get_field("document")
    try:
        with transaction.atomic():
            stored = field.storage.save(
                field.generate_filename(Ballot(decision=decision), document.name), document
            )
            ballots = Ballot.objects.bulk_create(
                [
                    Ballot(
                        decision=decision,
                        voter_id=v,
                        choice=c,
                        channel=BallotChannel.PAPER,
                        cast_by=actor,
                        document=stored,
                    )
                    for v, c in entries
                ],
                batch_size=500,
            )
            DecisionEvent.objects.bulk_create(
                [
                    DecisionEvent(
                        decision=decision,
                        kind="ballot_paper",
                        actor=actor,
                        data={"voter": b.voter_id, "ballot": b.pk},
                    )
                    for b in ballots
                ],
                batch_size=500,
            )
    except IntegrityError:
        raise Conflict(
            "其中有业主已经投过票，表决票一经提交不能更改。",
            "An owner in the stack has already voted; a cast ballot is final.",
            code="already_voted",
        ) from None
    return len(ballots)


def ballot_correct(*, actor, decision: Decision, ballot: Ballot, choice: str, reason: str) -> Ballot:
    """Only the organiser corrects a ballot (e.g. a paper ballot entered wrongly), with a reason, on the record."""
    check_organiser(user=actor, party=decision.organiser)
    _check_voting(decision)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("更正须填写理由。", "A correction needs a reason.", fields={"reason": "必填"})
    if choice not in Choice.values:
        raise Invalid(
            "请选择同意、反对或弃权。", "Choose agree, disagree or abstain.", fields={"choice": "无效"}
        )
    with transaction.atomic():
        locked = Ballot.objects.select_for_update().get(pk=ballot.pk, decision=decision)
        if locked.choice == choice:
            return locked
        previous = locked.choice
        locked.choice = choice
        locked.save(update_fields=["choice"])
        record_event(decision, "ballot_corrected", actor, reason, ballot=locked.pk, old=previous, new=choice)
    return locked
