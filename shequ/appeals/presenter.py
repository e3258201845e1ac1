"""How an appeal looks to one viewer: masked or full place, name and text, time-left chips, the
timeline's actor labels. Shared by the pages, the home block and the API (whose schemas in
`shequ.appeals.schemas` are filled from these objects), so that what a page shows and what the API
returns cannot drift apart.

A presented appeal wraps the model instance: attributes it does not define (number, status,
get_status_display …) come from the appeal, so templates read `a.number` and `a.display_text` alike.
Nothing is written onto the model instance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from shequ.appeals import access, selectors
from shequ.appeals.deadlines import is_overdue
from shequ.appeals.models import AWAITING_ACCEPT, Appeal, AppealEvent, AppealPhoto, Status
from shequ.core.masking import mask_name, mask_phone, mask_text


def duration(seconds: float) -> str:
    """A short, rounded-up duration: 30分钟, 5小时, 7天."""
    minutes = max(int(math.ceil(abs(seconds) / 60)), 1)
    if minutes < 60:
        return _("%(n)d分钟") % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return _("%(n)d小时") % {"n": hours}
    return _("%(n)d天") % {"n": hours // 24}


@dataclass(frozen=True)
class Chip:
    level: str  # ok | warn | bad | overdue | info
    label: str
    title: str = ""


def _clock_chip(*, due: datetime, start: datetime | None, now: datetime, stage: str) -> Chip:
    left = (due - now).total_seconds()
    if left < 0:  # past due: the rule of `deadlines.is_overdue` (due < now)
        label = (_("签收已超时%(t)s") if stage == "accept" else _("办结已超时%(t)s")) % {"t": duration(left)}
        return Chip("overdue", label)
    total = (due - start).total_seconds() if start and due > start else left
    share = left / total if total > 0 else 0
    level = "ok" if share > 0.5 else ("warn" if share > 0.2 else "bad")
    label = (_("签收剩%(t)s") if stage == "accept" else _("办结剩%(t)s")) % {"t": duration(left)}
    return Chip(level, label)


def time_chips(appeal: Appeal, now: datetime) -> list[Chip]:
    """Time-left chips: green → amber → red → overdue (DESIGN §9)."""
    start = appeal.dispatched_at or appeal.created_at
    chips: list[Chip] = []
    if appeal.status in AWAITING_ACCEPT and appeal.accept_due_at:
        chips.append(_clock_chip(due=appeal.accept_due_at, start=start, now=now, stage="accept"))
    if appeal.status in (Status.ACCEPTED, Status.IN_PROGRESS, *AWAITING_ACCEPT) and appeal.resolve_due_at:
        if appeal.status not in AWAITING_ACCEPT or not chips:
            chips.append(_clock_chip(due=appeal.resolve_due_at, start=start, now=now, stage="resolve"))
    if appeal.status == Status.PAUSED:
        chips.append(Chip("info", _("已暂停，计时停止")))
    if appeal.status == Status.RESOLVED and appeal.rating is None:
        chips.append(Chip("info", _("待居民评价")))
    return chips


def place_label(*, appeal: Appeal, masked: bool) -> str:
    """Full place (community … household) for the reporter's side and staff; compound + building only
    for everyone else (no household number)."""
    place = appeal.place
    parts: list[str] = []
    for node in (place.community, place.compound, place.building):
        if node is not None and node.name not in parts:
            parts.append(node.name)
    if not masked:
        for node in (place.unit, place):
            if (
                node is not None
                and node.kind not in ("district", "street", "grid")
                and node.name not in parts
                and node.pk not in (place.community_id, place.compound_id, place.building_id)
            ):
                parts.append(node.name)
    elif place.kind in ("community", "compound", "building") and not parts:
        parts.append(place.name)
    if appeal.spot_id and appeal.spot is not None:
        parts.append(appeal.spot.name)
    return " ".join(parts)


@dataclass
class PresentedEvent:
    event: AppealEvent
    actor_label: str
    display_text: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.event, name)


@dataclass
class PresentedAppeal:
    """One appeal as one viewer may see it."""

    appeal: Appeal
    masked: bool
    display_place: str
    display_reporter: str
    display_reporter_phone: str
    display_text: str
    display_outcome: str
    time_chips: list[Chip] = field(default_factory=list)
    overdue: bool = False
    # Filled by `present_detail` only (an appeal's page and the API's detail):
    events: list[PresentedEvent] = field(default_factory=list)
    visible_photos: list[AppealPhoto] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    is_following: bool = False
    followers_count: int = 0

    def __getattr__(self, name: str) -> Any:
        # Only called for names the dataclass does not define: the model's own fields and methods.
        return getattr(self.appeal, name)

    @property
    def time_chip(self) -> Chip | None:
        return self.time_chips[0] if self.time_chips else None


def present(
    appeal: Appeal, *, viewer: access.Viewer, now: datetime, force_masked: bool = False
) -> PresentedAppeal:
    masked = force_masked or not viewer.sees_full(appeal)
    user = appeal.reporter
    return PresentedAppeal(
        appeal=appeal,
        masked=masked,
        display_place=place_label(appeal=appeal, masked=masked),
        display_reporter=mask_name(user.real_name) if masked else user.real_name,
        display_reporter_phone=mask_phone(user.phone) if masked else user.phone,
        display_text=mask_text(appeal.text) if masked else appeal.text,
        display_outcome=mask_text(appeal.outcome) if masked else appeal.outcome,
        time_chips=time_chips(appeal, now),
        overdue=is_overdue(appeal, now=now),
    )


def present_all(
    appeals: list[Appeal], *, user: Any, now: datetime, force_masked: bool = False
) -> list[PresentedAppeal]:
    """A list's rows (`selectors.with_list_rows`) as this user may see them, their category and parties
    filled from the cached tables (`selectors.attach_list_rows`)."""
    selectors.attach_list_rows(appeals)
    viewer = access.viewer_for(user=user)
    return [present(a, viewer=viewer, now=now, force_masked=force_masked) for a in appeals]


def present_event(event: AppealEvent, *, masked: bool) -> PresentedEvent:
    if event.actor is None:
        actor = "系统"
    else:
        actor = mask_name(event.actor.real_name) if masked else event.actor.real_name
    return PresentedEvent(
        event=event, actor_label=actor, display_text=mask_text(event.text) if masked else event.text
    )


def present_detail(appeal: Appeal, *, user: Any, now: datetime, just_filed: bool = False) -> PresentedAppeal:
    """An appeal with what its page and the API's detail show: the events and photos this user may
    see (`shequ.appeals.selectors`) and the actions open to them (`shequ.appeals.access`).
    `just_filed`: the instance the filing service returned (its relations already in hand, no
    followers yet) — the answer to a filing without reloading the appeal."""
    shown = present(appeal, viewer=access.viewer_for(user=user), now=now)
    # Just filed without photos: there are none to read (the timeline still comes through the rule).
    no_photos = just_filed and appeal.filed_photos == []
    timeline = selectors.appeal_timeline(
        appeal=appeal,
        user=user,
        with_photos=not no_photos,
        written=appeal.filed_events if just_filed else None,  # what the filing wrote: not read back
    )
    shown.events = [present_event(e, masked=shown.masked) for e in timeline]
    shown.visible_photos = [] if no_photos else selectors.appeal_photos(appeal=appeal, user=user)
    shown.actions = access.allowed_actions(appeal=appeal, actor=user)
    if just_filed:
        return shown
    if getattr(user, "is_authenticated", False):
        shown.is_following = appeal.followers.filter(pk=user.pk).exists()
    shown.followers_count = appeal.followers.count()
    return shown
