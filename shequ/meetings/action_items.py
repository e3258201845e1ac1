"""Action items of a coordination meeting: who must do what by when, their one transition function, the
one definition of "overdue", and the sweep that reminds, marks overdue and escalates them up the appeals
ladder. Creating an item belongs to the meeting (`services.action_item_create`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q

from shequ.appeals import routing
from shequ.core import clock, jobs
from shequ.core.errors import Conflict, Forbidden, Invalid, NotFound
from shequ.directory.models import Party
from shequ.meetings import rules
from shequ.meetings.models import ActionItem, ActionItemEvent, ItemStatus
from shequ.meetings.services import clean_text

ESCALATE_EVERY = timedelta(days=3)  # after the first rung, one more rung per interval while still open

IS = ItemStatus
ITEM_TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "remind": (frozenset({IS.OPEN}), None),
    "overdue": (frozenset({IS.OPEN}), None),
    "escalate": (frozenset({IS.OPEN}), None),
    "complete": (frozenset({IS.OPEN}), IS.DONE),
    "cancel": (frozenset({IS.OPEN}), IS.CANCELLED),
}
# Who may: system (the sweeper, actor None), responsible (staff of the responsible party or of the
# party it was escalated to), convener (officers of the convening party).
ITEM_ACTORS: dict[str, frozenset[str]] = {
    "remind": frozenset({"system"}),
    "overdue": frozenset({"system"}),
    "escalate": frozenset({"system", "convener"}),
    "complete": frozenset({"responsible"}),
    "cancel": frozenset({"convener"}),
}


def _item_event(
    item: ActionItem, kind: str, actor, party: Party | None = None, text: str = "", **data
) -> ActionItemEvent:
    event = ActionItemEvent.objects.create(
        item=item, kind=kind, actor=actor, party=party, text=text, data=data
    )
    if kind != "created":
        jobs.enqueue("meetings.notify_item_event", event_id=event.pk)
    return event


def _item_capacity(item: ActionItem, actor) -> set[str]:
    if actor is None:
        return {"system"}
    caps: set[str] = set()
    staff = rules.staff_party_ids(user=actor)
    if item.responsible_party_id in staff or (item.escalated_to_id and item.escalated_to_id in staff):
        caps.add("responsible")
    if item.meeting.convener_id in rules.managing_party_ids(user=actor):
        caps.add("convener")
    return caps


def item_allowed_actions(*, item: ActionItem, actor) -> list[str]:
    caps = _item_capacity(item, actor)
    return [
        a for a, (sources, _t) in ITEM_TRANSITIONS.items() if item.status in sources and caps & ITEM_ACTORS[a]
    ]


def action_item_transition(*, item: ActionItem, actor, action: str, text: str = "") -> ActionItem:
    """THE transition of an action item. The sweeper (actor None) reminds, marks overdue and escalates
    (up the appeals ladder: `routing.ladder_target`); the responsible party completes; the convener
    cancels or escalates by hand."""
    if action not in ITEM_TRANSITIONS:
        raise NotFound("没有这个操作。", f"Unknown action {action!r}.", code="unknown_action")
    with transaction.atomic():
        row = (
            ActionItem.objects.select_for_update(of=("self",))
            .select_related(
                "meeting", "meeting__place", "meeting__convener", "responsible_party", "escalated_to"
            )
            .filter(pk=item.pk)
            .first()
        )
        if row is None:
            raise NotFound("没有找到这项任务。", "Action item not found.")
        if not _item_capacity(row, actor) & ITEM_ACTORS[action]:
            raise Forbidden(
                "您不能对这项任务执行此操作。",
                "You may not do this to this action item.",
                code="action_forbidden",
            )
        sources, target = ITEM_TRANSITIONS[action]
        if row.status not in sources:
            raise Conflict(
                f"任务{row.get_status_display()}，不能再操作。",
                f"The action item is {row.status}.",
                code="invalid_transition",
            )
        now = clock.now()
        changed: list[str] = []
        data: dict[str, Any] = {}
        party = None
        if action == "remind":
            row.reminded_at, row.next_check_at = now, row.due_at
            changed += ["reminded_at", "next_check_at"]
        elif action == "overdue":
            row.overdue_at = now
            changed.append("overdue_at")
        elif action == "escalate":
            if not text and actor is not None:
                raise Invalid("请填写升级原因。", "Please give a reason.", fields={"text": "required"})
            level = row.escalation_level + 1
            party = None
            while party is None and level <= routing.LADDER_TOP:
                party = routing.ladder_target(
                    place=row.meeting.place,
                    responsible=row.responsible_party,
                    level=level,
                    reached_id=row.escalated_to_id,
                )
                if party is None:
                    level += 1
            if party is None:
                raise Conflict(
                    "已经升级到最高一级。", "Already at the top of the ladder.", code="escalation_top"
                )
            data = {
                "level": level,
                "to_party": party.pk,
                "from_party": row.escalated_to_id,
                "auto": actor is None,
            }
            row.escalation_level, row.escalated_to = level, party
            row.next_check_at = now + ESCALATE_EVERY if level < routing.LADDER_TOP else None
            changed += ["escalation_level", "escalated_to", "next_check_at"]
        elif action == "complete":
            text = clean_text(text, name="text", zh="请填写完成情况。", en="Say what was done.", limit=2000)
            row.done_at, row.done_note, row.next_check_at = now, text, None
            changed += ["done_at", "done_note", "next_check_at"]
        elif action == "cancel":
            text = clean_text(
                text, name="text", zh="请填写撤销原因。", en="Please give a reason.", limit=2000
            )
            row.next_check_at = None
            changed.append("next_check_at")
        old = row.status
        if target is not None:
            row.status = target
            changed.append("status")
        row.save(update_fields=changed)
        _item_event(row, action, actor, party, text=text, **{"from": old, "to": row.status, **data})
    return row


def overdue_q(*, now: datetime | None = None) -> Q:
    """The one definition of an overdue action item, as a queryset filter: still open at or after
    its due time. `is_overdue` is the same rule for one loaded item; keep the two side by side."""
    return Q(status=IS.OPEN, due_at__lte=now or clock.now())


def is_overdue(*, item: ActionItem, now: datetime | None = None) -> bool:
    """The rule of `overdue_q` for one loaded item: still open at or after its due time."""
    return item.status == IS.OPEN and item.due_at <= (now or clock.now())


# ---------------------------------------------------------------- the sweep


def sweep_action_items(*, now: datetime, limit: int = 500) -> int:
    """Remind a day before, mark overdue and escalate at the due time, then one rung per interval.

    Claims exactly the due rows in order (`next_check_at`, an indexed column); each claim is a
    conditional UPDATE on the value read, so two workers never act on one item twice."""
    rows = list(
        ActionItem.objects.filter(status=IS.OPEN, next_check_at__lte=now)
        .order_by("next_check_at", "id")
        .values_list("id", "next_check_at", "due_at", "reminded_at", "overdue_at")[:limit]
    )
    done = 0
    for pk, check_at, due_at, reminded_at, overdue_at in rows:
        with transaction.atomic():
            won = ActionItem.objects.filter(pk=pk, status=IS.OPEN, next_check_at=check_at).update(
                next_check_at=None
            )
            if not won:
                continue
            item = ActionItem(pk=pk)
            try:
                if now < due_at:
                    if reminded_at is None:
                        action_item_transition(item=item, actor=None, action="remind")
                        done += 1
                    else:
                        ActionItem.objects.filter(pk=pk).update(next_check_at=due_at)
                    continue
                if overdue_at is None:
                    action_item_transition(item=item, actor=None, action="overdue")
                action_item_transition(item=item, actor=None, action="escalate")
                done += 1
            except Conflict:  # no higher rung serves this place: stays overdue, not looked at again
                continue
    return done
