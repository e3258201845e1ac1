"""A transition in progress (`Step`: collects the changed fields, saves only those, recomputes
`next_due_at`, writes the one event and queues its notification) and the checks every action shares.
Used by `shequ.appeals.services.appeal_transition` and the handlers in `actions` and `helpers`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shequ.appeals import deadlines
from shequ.appeals.access import Capacity
from shequ.appeals.models import Appeal, AppealEvent, Status
from shequ.appeals.records import checked_text as _text
from shequ.appeals.records import event_write as _event
from shequ.appeals.transitions import EVENT_OF, S
from shequ.core.errors import Conflict, Invalid, zh
from shequ.directory.models import Party, PartyKind, PartyPlace
from shequ.directory.selectors import party_place_ids, place_within


def _party(value: Any, *, field_name: str = "to_party") -> Party:
    if isinstance(value, Party):
        return value
    try:
        party = Party.objects.filter(pk=int(value), is_active=True).first()
    except (TypeError, ValueError):
        party = None
    if party is None:
        raise Invalid(
            "请选择有效的承办主体。",
            "Choose a valid party.",
            code="party_invalid",
            fields={field_name: "invalid"},
        )
    return party


def _check_target_serves(party: Party, appeal: Appeal) -> None:
    """A target party must serve the appeal's place (departments may be summoned from anywhere)."""
    if party.kind == PartyKind.DEPARTMENT:
        return
    if party.kind == PartyKind.PROPERTY_COMPANY:
        serves = place_within(place=appeal.place, ancestor_ids=party_place_ids(party=party))
    else:
        serves = PartyPlace.objects.filter(party=party, place_id__in=appeal.place.ancestor_ids()).exists()
    if not serves:
        raise Invalid(
            "该单位不服务这个地点。",
            "That party does not serve this place.",
            code="party_not_serving",
            fields={"to_party_id": "not serving"},
        )


def _refuse_state(appeal: Appeal, action: str) -> Conflict:
    return Conflict(
        f"诉求当前状态为“{zh(Status(appeal.status).label)}”，不能执行此操作。",
        f"This action ({action}) is not allowed while the appeal is {appeal.status}.",
        code="transition_not_allowed",
    )


class Step:
    """One transition in progress: collects changed fields and the event to write."""

    def __init__(self, *, appeal: Appeal, actor, cap: Capacity, action: str, data: dict, now: datetime):
        self.appeal, self.actor, self.cap, self.action, self.data, self.now = (
            appeal,
            actor,
            cap,
            action,
            data,
            now,
        )
        self.old_status = appeal.status
        self.changed: list[str] = []
        self.event_text = ""
        self.event_public = True
        self.event_party: Party | None = cap.party
        self.event_data: dict[str, Any] = {}
        self.event: AppealEvent | None = None
        self.event_kind = EVENT_OF[action]

    def set(self, name: str, value: Any) -> None:
        if getattr(self.appeal, name) != value:
            setattr(self.appeal, name, value)
            if name not in self.changed:
                self.changed.append(name)

    def reason(self, *, required: bool = True, field_name: str = "reason") -> str:
        value = self.data.get("reason") if self.data.get("reason") is not None else self.data.get("text")
        return _text(
            value,
            field_name=field_name,
            required=required,
            zh="请填写原因或说明。",
            en="Please give a reason.",
        )

    def end_pause(self) -> None:
        if self.appeal.status == S.PAUSED and self.appeal.paused_at:
            seconds = max(int((self.now - self.appeal.paused_at).total_seconds()), 0)
            self.set("paused_seconds", self.appeal.paused_seconds + seconds)
            self.set("resolve_due_at", deadlines.extend(self.appeal.resolve_due_at, seconds=seconds))
            self.set("paused_at", None)
            self.event_data["paused_seconds"] = seconds

    def fresh_accept_clock(self) -> None:
        appeal = self.appeal
        self.set(
            "accept_due_at",
            deadlines.accept_due(
                urgency=appeal.urgency,
                start=self.now,
                time_class=appeal.category.time_class,
                category_id=appeal.category_id,
            ),
        )
        self.set("accepted_at", None)
        self.set("handler", None)

    def commit(self) -> None:
        appeal = self.appeal
        if self.changed:
            self.set("next_due_at", deadlines.next_due_of(appeal))
            self.set("updated_at", self.now)
            appeal.save(update_fields=self.changed)
        data = {"from": self.old_status, "to": appeal.status, **self.event_data}
        if self.action == "redispatch":
            data["redispatch"] = True
        self.event = _event(
            appeal=appeal,
            kind=self.event_kind,
            actor=self.actor,
            party=self.event_party,
            text=self.event_text,
            is_public=self.event_public,
            data=data,
            at=self.now,
        )
