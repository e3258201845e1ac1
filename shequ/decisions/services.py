"""Writes of owners' decisions: create, publicise, open, close (count and post), cancel. Ballots are in
`decisions.voting`; the roll comes from the register through `decisions.roll`.

One transition function (`_transition`) with an explicit table of allowed moves; every change and every
ballot is an immutable `DecisionEvent`. Notifications and board notices go out through the existing
channels (notices, inbox) in the same transaction, delivered after commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.decisions import counting
from shequ.decisions.models import (
    Decision,
    DecisionEvent,
    DecisionStatus,
    Matter,
    RollUnit,
    RollVoter,
)
from shequ.decisions.roll import decision_units, owner_roll, total_area
from shequ.decisions.rules import ORGANISER_KINDS, check_organiser
from shequ.directory.models import Party, PartyKind, Place, PlaceKind
from shequ.notifications.services import notify

WINDOW_DEFAULT_DAYS = 15
WINDOW_MIN_DAYS = 5
WINDOW_MAX_DAYS = 60
PUBLICITY_MIN_DAYS = 1

ALLOWED = {
    DecisionStatus.DRAFT: {DecisionStatus.PUBLICITY, DecisionStatus.CANCELLED},
    DecisionStatus.PUBLICITY: {DecisionStatus.VOTING, DecisionStatus.CANCELLED},
    DecisionStatus.VOTING: {DecisionStatus.CLOSED},
    DecisionStatus.CLOSED: set(),
    DecisionStatus.CANCELLED: set(),
}

# Which board (notice channel) an organiser posts on.
BOARD_CHANNEL = {
    PartyKind.OWNERS_ASSEMBLY: "owners",
    PartyKind.OWNERS_COMMITTEE: "owners",
    PartyKind.RESIDENTS_COMMITTEE: "community",
    PartyKind.PARTY_ORG: "community",
    PartyKind.STREET_OFFICE: "community",
}


def record_event(decision: Decision, kind: str, actor, reason: str = "", **data) -> DecisionEvent:
    return DecisionEvent.objects.create(decision=decision, kind=kind, actor=actor, reason=reason, data=data)


def _transition(
    *, decision: Decision, to: str, actor, kind: str, reason: str = "", fields: dict | None = None, **data
) -> Decision:
    """The one way a decision changes state: lock, check the table, save the changed fields, record."""
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    if to not in ALLOWED[DecisionStatus(locked.status)]:
        raise Conflict(
            f"当前状态（{locked.get_status_display()}）不能进行此操作。",
            f"Not allowed while the decision is {locked.status}.",
            code="invalid_transition",
        )
    previous = locked.status
    locked.status = to
    changed = ["status", "updated_at"]
    for name, value in (fields or {}).items():
        setattr(locked, name, value)
        changed.append(name)
    locked.save(update_fields=changed)
    record_event(locked, kind, actor, reason, previous=previous, status=to, **data)
    return locked


def decision_url(decision: Decision) -> str:
    return reverse("decisions:detail", args=[decision.pk])


def decision_create(
    *,
    actor,
    organiser: Party,
    compound: Place,
    matter: str,
    title: str,
    body: str,
    buildings: list[Place] | tuple = (),
) -> Decision:
    if organiser.kind not in ORGANISER_KINDS:
        raise Forbidden(
            "该单位不能组织业主表决。", "This party cannot organise owners' votes.", code="not_organiser"
        )
    if compound.kind != PlaceKind.COMPOUND:
        raise Invalid("请选择小区。", "Choose a compound.", fields={"compound": "必须是小区"})
    check_organiser(user=actor, party=organiser, place=compound)
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if matter not in Matter.values:
        errors["matter"] = "请从《民法典》第二百七十八条所列事项中选择。"
    if not title or len(title) > 120:
        errors["title"] = "请填写标题（最多120字）。"
    if not body:
        errors["body"] = "请填写议题说明。"
    if any(b.kind != PlaceKind.BUILDING or b.compound_id != compound.pk for b in buildings):
        errors["buildings"] = "涉及楼栋必须是本小区的楼栋。"
    if errors:
        raise Invalid("表决内容不完整或有误。", "The proposal is incomplete or invalid.", fields=errors)
    with transaction.atomic():
        decision = Decision.objects.create(
            organiser=organiser, compound=compound, matter=matter, title=title, body=body, created_by=actor
        )
        if buildings:
            decision.buildings.set(buildings)
        record_event(decision, "created", actor, matter=matter, buildings=[b.pk for b in buildings])
    return decision


def _post(*, actor, decision: Decision, title: str, body: str):
    """A notice on the compound's board through the notices app (its own permission rules apply)."""
    from shequ.notices.services import notice_create  # noqa: PLC0415 — a channel this app posts on

    channel = BOARD_CHANNEL[PartyKind(decision.organiser.kind)]
    return notice_create(
        author=actor,
        party=decision.organiser,
        channel=channel,
        place=decision.compound,
        title=title,
        body=body,
    )


def decision_publicise(
    *, actor, decision: Decision, opens_at: datetime, closes_at: datetime | None = None
) -> Decision:
    """公示: post the proposal on the board and fix the voting window (default 15 days, 5–60 allowed)."""
    check_organiser(user=actor, party=decision.organiser)
    now = clock.now()
    closes_at = closes_at or opens_at + timedelta(days=WINDOW_DEFAULT_DAYS)
    window = closes_at - opens_at
    if opens_at < now + timedelta(days=PUBLICITY_MIN_DAYS):
        raise Invalid(
            f"投票开始前至少公示{PUBLICITY_MIN_DAYS}天。",
            f"Publicise at least {PUBLICITY_MIN_DAYS} day before voting opens.",
            code="publicity_too_short",
            fields={"opens_at": "开始时间太早"},
        )
    if not timedelta(days=WINDOW_MIN_DAYS) <= window <= timedelta(days=WINDOW_MAX_DAYS):
        raise Invalid(
            f"投票期限须在{WINDOW_MIN_DAYS}至{WINDOW_MAX_DAYS}天之间。",
            f"The voting window must be {WINDOW_MIN_DAYS} to {WINDOW_MAX_DAYS} days.",
            code="window_invalid",
            fields={"closes_at": "期限不符合要求"},
        )
    local = timezone.localtime
    with transaction.atomic():
        decision = _transition(
            decision=decision,
            to=DecisionStatus.PUBLICITY,
            actor=actor,
            kind="publicised",
            fields={"publicity_at": now, "opens_at": opens_at, "closes_at": closes_at},
            opens_at=opens_at.isoformat(),
            closes_at=closes_at.isoformat(),
        )
        body = (
            f"事项：{decision.get_matter_display()}\n"
            f"投票时间：{local(opens_at):%Y-%m-%d %H:%M} 至 {local(closes_at):%Y-%m-%d %H:%M}\n"
            f"表决规则：{threshold_text(decision)}\n\n{decision.body}\n\n"
            f"详情与投票：{decision_url(decision)}"
        )
        _post(actor=actor, decision=decision, title=f"【业主表决公示】{decision.title}", body=body)
    return decision


def threshold_text(decision: Decision) -> str:
    base = "专有部分面积占比三分之二以上且人数占比三分之二以上的业主参与表决；"
    if decision.is_major:
        return base + "经参与表决专有部分面积四分之三以上且人数四分之三以上的业主同意。"
    return base + "经参与表决专有部分面积过半数且人数过半数的业主同意。"


def decision_open(*, actor, decision: Decision) -> Decision:
    """Open voting (at or after the publicised start): fix the roll from the register as it is now."""
    if actor is not None:
        check_organiser(user=actor, party=decision.organiser)
    if decision.opens_at and clock.now() < decision.opens_at:
        raise Conflict(
            "公示期还没有结束，不能开始投票。", "The publicity period has not ended.", code="too_early"
        )
    voters = owner_roll(decision_units(decision))
    if not voters:
        raise Conflict(
            "这个范围的业主名册是空的，请先导入名册。",
            "The owners' register here is empty.",
            code="register_empty",
        )
    with transaction.atomic():
        RollVoter.objects.bulk_create(
            [
                RollVoter(
                    decision=decision,
                    owner_id=v.owner_id,
                    name=v.name,
                    area=v.area,
                    unit_count=v.unit_count,
                    is_developer=v.is_developer,
                )
                for v in voters.values()
            ],
            batch_size=1000,
        )
        ids = dict(RollVoter.objects.filter(decision=decision).values_list("owner_id", "id"))
        RollUnit.objects.bulk_create(
            [
                RollUnit(
                    decision=decision, unit_id=u.unit_id, voter_id=ids[v.owner_id], label=u.label, area=u.area
                )
                for v in voters.values()
                for u in v.units
            ],
            batch_size=1000,
        )
        area = total_area(voters)
        decision = _transition(
            decision=decision,
            to=DecisionStatus.VOTING,
            actor=actor,
            kind="opened",
            fields={"total_area": area, "total_owners": len(voters)},
            total_area=str(area),
            total_owners=len(voters),
            units=sum(v.unit_count for v in voters.values()),
        )
        recipients = RollVoter.objects.filter(decision=decision, owner__user__isnull=False).values_list(
            "owner__user_id", flat=True
        )
        notify(
            recipients=list(recipients),
            verb="decision.opened",
            title=f"业主表决开始：{decision.title}",
            body=f"请在 {timezone.localtime(decision.closes_at):%Y-%m-%d %H:%M} 前投票。",
            url=decision_url(decision),
            key=f"decision.opened:{decision.pk}",
        )
    return decision


def decision_tally(*, decision: Decision) -> counting.Tally:
    """The count from the database: two grouped queries, then exact integer arithmetic."""
    voters = {pk: counting.centi(area) for pk, area in decision.voters.values_list("pk", "area")}
    ballots = decision.ballots.values_list("voter_id", "choice")
    return counting.tally(voters=voters, ballots=ballots, major=decision.is_major)


def decision_turnout(*, decision: Decision) -> counting.Turnout:
    """Participation only (what everyone sees while voting runs): one aggregate query."""
    agg = decision.ballots.aggregate(n=Count("id"), area=Sum("voter__area"))
    return counting.Turnout(
        total_owners=decision.total_owners or 0,
        total_area=counting.centi(decision.total_area or 0),
        voted_owners=agg["n"] or 0,
        voted_area=counting.centi(agg["area"] or 0),
    )


def decision_close(*, actor, decision: Decision) -> Decision:
    """Close voting (at the end of the window, or early once every owner on the roll has voted), count with
    exact arithmetic, store the result and post it on the compound's board with the counts."""
    check_organiser(user=actor, party=decision.organiser)
    if decision.status != DecisionStatus.VOTING:
        raise Conflict(
            "只有投票中的表决可以结束。", "Only an open vote can be closed.", code="invalid_transition"
        )
    everyone = decision.ballots.count() >= (decision.total_owners or 0)
    if decision.closes_at and clock.now() < decision.closes_at and not everyone:
        raise Conflict(
            "投票期限未到，且还有业主没有投票，不能提前结束。",
            "The voting window has not ended and not every owner has voted.",
            code="too_early",
        )
    with transaction.atomic():
        result = decision_tally(decision=decision)
        decision = _transition(
            decision=decision,
            to=DecisionStatus.CLOSED,
            actor=actor,
            kind="closed",
            fields={"closed_at": clock.now(), "outcome": result.outcome, "result": result.as_dict()},
            outcome=result.outcome,
        )
        notice = _post(
            actor=actor,
            decision=decision,
            title=f"【业主表决结果公示】{decision.title}：{decision.get_outcome_display()}",
            body=result_text(decision),
        )
        decision.notice_id = notice.pk
        decision.save(update_fields=["notice_id"])
        record_event(decision, "posted", actor, notice=notice.pk)
        recipients = RollVoter.objects.filter(decision=decision, owner__user__isnull=False).values_list(
            "owner__user_id", flat=True
        )
        notify(
            recipients=list(recipients),
            verb="decision.closed",
            title=f"业主表决结果：{decision.title}（{decision.get_outcome_display()}）",
            url=decision_url(decision),
            key=f"decision.closed:{decision.pk}",
        )
    return decision


def result_text(decision: Decision) -> str:
    r = decision.result
    return (
        f"事项：{decision.get_matter_display()}\n"
        f"结果：{decision.get_outcome_display()}\n"
        f"业主总人数 {r['total_owners']} 人，专有部分总面积 {r['total_area']} 平方米。\n"
        f"参与表决 {r['voted_owners']} 人，面积 {r['voted_area']} 平方米"
        f"（{'达到' if r['quorum'] else '未达到'}三分之二）。\n"
        f"同意 {r['agree_owners']} 人、{r['agree_area']} 平方米；"
        f"反对 {r['disagree_owners']} 人、{r['disagree_area']} 平方米；"
        f"弃权 {r['abstain_owners']} 人、{r['abstain_area']} 平方米。\n"
        f"规则：{threshold_text(decision)}\n"
        f"本小区业主可查看逐户表决情况：{decision_url(decision)}"
    )


def decision_cancel(*, actor, decision: Decision, reason: str) -> Decision:
    check_organiser(user=actor, party=decision.organiser)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("撤销须填写理由。", "Cancelling needs a reason.", fields={"reason": "必填"})
    return _transition(
        decision=decision, to=DecisionStatus.CANCELLED, actor=actor, kind="cancelled", reason=reason
    )
