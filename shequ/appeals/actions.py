"""What each action of the transition function does: one handler per action (`HANDLERS`), called
only by `shequ.appeals.services.appeal_transition`, which locks the row and checks who may
(`access.ACTORS`) and from which status (`transitions.TRANSITIONS`); the `Step` it gets saves the
changes and writes the event (`shequ.appeals.step`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shequ.appeals import deadlines, routing
from shequ.appeals.helpers import h_assign_helper
from shequ.appeals.models import Appeal, Rating
from shequ.appeals.records import checked_text as _text
from shequ.appeals.step import Step, _check_target_serves, _party, _refuse_state
from shequ.appeals.transitions import S
from shequ.core.errors import Conflict, Invalid
from shequ.directory.models import Party


def _dispatch_to(step: Step, party: Party, target: str) -> None:
    appeal = step.appeal
    if party.pk == appeal.responsible_party_id and appeal.status != S.SUBMITTED:
        raise Conflict("已经由该主体承办。", "That party already has this appeal.", code="same_party")
    _check_target_serves(party, appeal)
    step.event_data.update({"from_party": appeal.responsible_party_id, "to_party": party.pk})
    step.set("responsible_party", party)
    if appeal.first_party_id is None:
        step.set("first_party", party)
    step.set("status", target)
    step.set("dispatched_at", step.now)
    step.fresh_accept_clock()
    step.set("paused_at", None)
    step.event_party = party


def _h_dispatch(step: Step, target: str) -> None:
    party = _party(step.data.get("to_party") or step.data.get("to_party_id"))
    step.event_text = step.reason(required=False)
    _dispatch_to(step, party, target)


def _h_transfer(step: Step, target: str) -> None:
    party = _party(step.data.get("to_party") or step.data.get("to_party_id"))
    current = step.appeal.responsible_party
    if step.appeal.is_consultation and current is not None and party.kind != current.kind:
        # A private consultation stays with the same kind of service (a doctor to another doctor).
        raise Invalid(
            "私密咨询只能转给同类服务单位。",
            "A private consultation can only go to a party of the same kind of service.",
            code="consultation_transfer_kind",
            fields={"to_party_id": "other kind"},
        )
    step.event_text = step.reason(required=True)
    step.end_pause()
    _dispatch_to(step, party, target)


def _h_accept(step: Step, target: str) -> None:
    appeal = step.appeal
    if appeal.status == S.SUBMITTED and "dispatcher" not in step.cap.capacities:
        raise _refuse_state(appeal, "accept")
    step.set("status", target)
    step.set("accepted_at", step.now)
    step.set("handler", step.actor)
    if appeal.first_party_id is None:
        step.set("first_party", appeal.responsible_party)
    step.event_party = appeal.responsible_party


def _h_return(step: Step, target: str) -> None:
    appeal = step.appeal
    if appeal.responsible_party_id == appeal.dispatcher_id:
        raise Conflict(
            "派单主体不能退单给自己，请改派或关闭。",
            "The dispatcher cannot return an appeal to itself.",
            code="cannot_return_to_self",
        )
    step.event_text = step.reason(required=True)
    step.event_party = appeal.responsible_party
    step.event_data["from_party"] = appeal.responsible_party_id
    step.set("status", target)
    step.set("responsible_party", appeal.dispatcher)
    step.fresh_accept_clock()


def _h_pause(step: Step, target: str) -> None:
    step.event_text = step.reason(required=True)
    step.set("status", target)
    step.set("paused_at", step.now)


def _h_resume(step: Step, target: str) -> None:
    step.event_text = step.reason(required=False)
    step.end_pause()
    step.set("status", target)


def _h_reply(step: Step, target: str) -> None:
    step.event_text = _text(
        step.data.get("text"),
        field_name="text",
        required=True,
        zh="请填写回复内容。",
        en="Please write a reply.",
    )
    step.event_public = True
    if "reporter" in step.cap.capacities and not step.cap.has({"responsible", "dispatcher", "supervisor"}):
        step.event_party = None
        step.event_data["by_reporter"] = True
        return
    if step.appeal.status == S.ACCEPTED and step.cap.has({"responsible", "helper"}):
        step.set("status", S.IN_PROGRESS)


def _h_note(step: Step, target: str) -> None:
    step.event_text = _text(
        step.data.get("text"),
        field_name="text",
        required=True,
        zh="请填写备注内容。",
        en="Please write the note.",
    )
    step.event_public = False


def _h_resolve(step: Step, target: str) -> None:
    text = _text(
        step.data.get("text") or step.data.get("outcome"),
        field_name="text",
        required=True,
        zh="请填写办理结果。",
        en="Please describe the outcome.",
    )
    step.event_text = text
    step.end_pause()
    step.set("status", target)
    step.set("outcome", text)
    step.set("resolved_at", step.now)
    step.set("callback_due_at", deadlines.callback_due(resolved_at=step.now))
    if step.appeal.accepted_at is None:
        step.set("accepted_at", step.now)
    step.event_party = step.appeal.responsible_party


def close_fields(now: Any) -> dict[str, Any]:
    """What closing an appeal sets (close, confirm, rate and the unrated close alike)."""
    return {"status": S.CLOSED, "closed_at": now, "callback_due_at": None}


UNRATED_CLOSE_TEXT = "回访期满未评价，自动关闭。"


def unrated_close_fields(now: Any) -> dict[str, Any]:
    """What the unrated close (回访期满未评价) sets: written by the `close_unrated` transition and by the
    callback sweep's set-based batch (`shequ.appeals.sweeps`) alike."""
    return {"closed_unrated": True, **close_fields(now)}


def _close(step: Step) -> None:
    for name, value in close_fields(step.now).items():
        step.set(name, value)


def _h_confirm(step: Step, target: str) -> None:
    step.event_text = step.reason(required=False)
    step.set("solved", True)
    _close(step)
    step.event_party = None


def _reopen(step: Step) -> None:
    appeal = step.appeal
    step.set("status", S.IN_PROGRESS)
    step.set("resolved_at", None)
    step.set("closed_at", None)
    step.set("callback_due_at", None)
    step.set(
        "resolve_due_at",
        deadlines.resolve_due(
            time_class=appeal.category.time_class,
            urgency=appeal.urgency,
            start=step.now,
            category_id=appeal.category_id,
        ),
    )


def _h_reopen(step: Step, target: str) -> None:
    appeal = step.appeal
    if appeal.status == S.CLOSED and appeal.closed_unrated:
        raise _refuse_state(appeal, "reopen")
    step.event_text = step.reason(required=True)
    step.event_party = None
    step.event_data["reopen_count"] = 1
    _reopen(step)


def _h_rate(step: Step, target: str) -> None:
    appeal = step.appeal
    if appeal.status == S.CLOSED and appeal.rated_at is not None:
        raise Conflict("已经评价过了。", "This appeal has already been rated.", code="already_rated")
    solved = step.data.get("solved")
    if isinstance(solved, str):
        solved = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(
            solved.lower()
        )
    if not isinstance(solved, bool):
        raise Invalid(
            "请选择问题是否解决。",
            "Say whether the problem was solved.",
            code="solved_required",
            fields={"solved": "required"},
        )
    rating = step.data.get("rating")
    if rating not in Rating.values:
        raise Invalid(
            "请选择满意、基本满意或不满意。",
            "Choose satisfied, basically satisfied or unsatisfied.",
            code="rating_required",
            fields={"rating": "required"},
        )
    step.event_text = _text(
        step.data.get("text") or step.data.get("comment"), field_name="text", required=False, zh="", en=""
    )
    step.event_party = None
    step.event_data.update({"solved": solved, "rating": rating, "for_party": appeal.responsible_party_id})
    step.set("solved", solved)
    step.set("rating", rating)
    step.set("rated_at", step.now)
    step.set("closed_unrated", False)
    if solved:
        if appeal.status != S.CLOSED:
            _close(step)
    else:
        step.event_data["reopened"] = True
        _reopen(step)


def _h_close(step: Step, target: str) -> None:
    step.event_text = step.reason(required=step.actor is not None)
    step.end_pause()
    _close(step)


def _h_close_unrated(step: Step, target: str) -> None:
    step.event_text = step.reason(required=False) or UNRATED_CLOSE_TEXT
    step.event_party = None
    for name, value in unrated_close_fields(step.now).items():
        step.set(name, value)


def _h_merge(step: Step, target: str) -> None:
    appeal = step.appeal
    into: Any = step.data.get("into") or step.data.get("into_id")
    if not isinstance(into, Appeal):
        try:
            into = Appeal.objects.filter(pk=int(into)).first()
        except (TypeError, ValueError):
            into = None
    if into is None or into.pk == appeal.pk or into.community_id != appeal.community_id:
        raise Invalid(
            "请选择本社区内的另一条诉求作为合并目标。",
            "Choose another appeal of this community to merge into.",
            code="merge_target_invalid",
            fields={"into_id": "invalid"},
        )
    if into.is_consultation or appeal.is_consultation:
        raise Invalid(
            "私密咨询不能合并。",
            "Private consultations cannot be merged.",
            code="merge_consultation",
            fields={"into_id": "consultation"},
        )
    if into.status == S.MERGED:
        raise Conflict(
            "目标诉求本身已被合并。", "The target appeal was itself merged.", code="merge_target_merged"
        )
    step.event_text = step.reason(required=False)
    step.event_data["into"] = into.pk
    step.event_data["into_number"] = into.number
    step.set("status", target)
    step.set("merged_into", into)
    step.set("closed_at", step.now)
    step.set("paused_at", None)
    # The duplicate's reporter and followers follow the original.
    watchers = {appeal.reporter_id, *appeal.followers.values_list("id", flat=True)} - {into.reporter_id}
    if watchers:
        into.followers.add(*watchers)


def escalation_data(
    *, level: int, to_party_id: int, from_party_id: int | None, auto: bool, reason_code: str
) -> dict[str, Any]:
    """The `escalated` event's data, written by the transition and by the sweeper's batch alike."""
    return {
        "level": level,
        "to_party": to_party_id,
        "from_party": from_party_id,
        "auto": auto,
        "reason_code": reason_code,
    }


def _h_escalate(step: Step, target: str) -> None:
    appeal = step.appeal
    if appeal.is_consultation:
        raise Conflict(
            "私密咨询不升级，仅咨询对象可见。",
            "Private consultations are not escalated.",
            code="consultation_private",
        )
    step.event_text = step.reason(required=step.actor is not None)
    to = step.data.get("to_party") or step.data.get("to_party_id")
    level = appeal.escalation_level + 1
    party: Party | None
    if to:
        party = _party(to)
        _check_target_serves(party, appeal)
    else:
        party = None
        while party is None and level <= routing.LADDER_TOP:
            party = routing.escalation_target(appeal=appeal, level=level)
            if party is None:
                level += 1
        if party is None:
            raise Conflict(
                "已经升级到最高一级。",
                "The appeal is already at the top of the ladder.",
                code="escalation_top",
            )
    assert party is not None  # given, or found on the ladder (else refused above)
    step.event_data.update(
        escalation_data(
            level=level,
            to_party_id=party.pk,
            from_party_id=appeal.escalated_to_id,
            auto=step.actor is None,
            reason_code=step.data.get("reason_code", ""),
        )
    )
    step.set("escalation_level", level)
    step.set("escalated_to", party)
    step.event_party = party


# Each handler gets the step and the status the action leads to (the current one when it keeps it).
HANDLERS: dict[str, Callable[[Step, str], None]] = {
    "dispatch": _h_dispatch,
    "redispatch": _h_dispatch,
    "transfer": _h_transfer,
    "accept": _h_accept,
    "return": _h_return,
    "pause": _h_pause,
    "resume": _h_resume,
    "reply": _h_reply,
    "note": _h_note,
    "resolve": _h_resolve,
    "confirm": _h_confirm,
    "reopen": _h_reopen,
    "rate": _h_rate,
    "close": _h_close,
    "close_unrated": _h_close_unrated,
    "merge": _h_merge,
    "escalate": _h_escalate,
    "assign_helper": h_assign_helper,
}
