"""Writes to appeals. `appeal_create` (in `shequ.appeals.filing`, re-exported here) and
`appeal_transition` are the only ways an appeal changes.

The allowed-transitions table (`TRANSITIONS`) says, for each action, the statuses it may start from
and the status it leads to; `ACTORS` says who may perform it. `appeal_transition` locks the row,
checks both, saves only the fields that changed, writes one immutable AppealEvent, recomputes the
deadlines, and queues the notifications (a job that runs after commit).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from shequ.accounts.selectors import user_roles
from shequ.appeals import photos as photo_files
from shequ.appeals import routing
from shequ.appeals.access import ACTORS as ACTORS
from shequ.appeals.access import PHOTO_ACTIONS, actor_capacity, claim_q
from shequ.appeals.actions import HANDLERS
from shequ.appeals.actions import escalation_data as escalation_data  # the sweeper's batch writes it too
from shequ.appeals.filing import appeal_create as appeal_create  # the filing lives in filing.py
from shequ.appeals.helpers import fee_waiver_eligible as fee_waiver_eligible
from shequ.appeals.models import (
    Appeal,
    AppealEvent,
    AppealPhoto,
    EventKind,
    PhotoStage,
    Source,
    Status,
)
from shequ.appeals.records import event_write as _event
from shequ.appeals.records import photos_save as _save_photos
from shequ.appeals.step import Step, _refuse_state
from shequ.appeals.transitions import EVENT_OF as EVENT_OF
from shequ.appeals.transitions import TRANSITIONS
from shequ.core import clock
from shequ.core.errors import DomainError, Forbidden, Invalid, NotFound
from shequ.directory.models import Party

# ---------------------------------------------------------------- transition


def appeal_transition(*, appeal: Appeal, actor, action: str, **data) -> Appeal:
    """THE transition function. `data` carries what the action needs:
    reason / text, to_party (Party or id), solved (bool), rating, into (Appeal or id), photos (uploads).
    Returns the updated appeal (a fresh instance)."""
    if action not in TRANSITIONS:
        raise NotFound("没有这个操作。", f"Unknown action {action!r}.", code="unknown_action")
    if data.get("photos") and action not in PHOTO_ACTIONS:
        # An internal note never carries a photo (it would be as hidden as the note, or leak).
        raise Invalid(
            "此操作不能附带照片。",
            "This action cannot carry photos.",
            code="photos_not_allowed",
            fields={"photos": "not allowed"},
        )
    prepared = photo_files.prepare(list(data.get("photos") or ())) if data.get("photos") else []
    with transaction.atomic():
        locked = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related(
                "category",
                "place",
                "responsible_party",
                "dispatcher",
                "escalated_to",
                "first_party",
                "helper_party",
            )
            .filter(pk=appeal.pk)
            .first()
        )
        if locked is None:
            raise NotFound("没有找到这条诉求。", "Appeal not found.")
        cap = actor_capacity(appeal=locked, actor=actor)
        if not cap.has(ACTORS[action]):
            raise Forbidden(
                "您不能对这条诉求执行此操作。",
                "You may not perform this action on this appeal.",
                code="action_forbidden",
            )
        sources, target = TRANSITIONS[action]
        if locked.status not in sources:
            raise _refuse_state(locked, action)
        if prepared:
            have = AppealPhoto.objects.filter(appeal=locked).count()
            if have + len(prepared) > photo_files.MAX_PHOTOS:
                raise Invalid(
                    "每条诉求最多9张照片。",
                    "At most 9 photos per appeal.",
                    code="too_many_photos",
                    fields={"photos": "too many"},
                )
        step = Step(appeal=locked, actor=actor, cap=cap, action=action, data=data, now=clock.now())
        handler = HANDLERS[action]
        handler(step, locked.status if target is None else target)  # None: the action keeps the status
        step.commit()
        if prepared:
            stage = PhotoStage.RESOLUTION if action == "resolve" else PhotoStage.PROGRESS
            _save_photos(appeal=locked, prepared=prepared, event=step.event, user=actor, stage=stage)
    return locked


def claims_route(*, reporter_id: int, household_id: int) -> int:
    """A residency was verified: the reporter's claims about that household (`access.claim_q`), still in
    the committee's dispatch queue, go where the routing rules send a filing (`routing.route`, the
    filing's own rule), dispatched by the system through `appeal_transition`. One the committee has
    dispatched meanwhile, or that the rules leave with the committee, stays as it is. Returns how many
    were dispatched."""
    waiting = (
        Appeal.objects.filter(
            reporter_id=reporter_id,
            household_id=household_id,
            filed_by__isnull=True,
            source=Source.APP,
            status=Status.SUBMITTED,
        )
        .exclude(claim_q())  # still a claim (the residency rejected again): left with the committee
        .select_related("category", "place")
        .order_by("pk")
    )
    dispatched = 0
    for appeal in waiting:
        found = routing.route(category=appeal.category, place=appeal.place)
        if not found.dispatched:
            continue
        try:
            appeal_transition(appeal=appeal, actor=None, action="dispatch", to_party=found.party)
        except DomainError:  # dispatched by hand a moment ago, or the party no longer serves the place
            continue
        dispatched += 1
    return dispatched


# ---------------------------------------------------------------- events without a status change


def appeal_event_add(
    *,
    appeal: Appeal,
    actor,
    kind: str,
    text: str = "",
    is_public: bool = True,
    party: Party | None = None,
    data: dict | None = None,
) -> AppealEvent:
    """Record an event that does not change the status (whistle, report-in, helper assigned, callback
    reminder …). The caller has checked that the actor may do it. Notifies after commit."""
    if kind not in EventKind.values:
        raise Invalid("记录类型无效。", "Unknown event kind.", code="event_kind_invalid")
    with transaction.atomic():
        Appeal.objects.filter(pk=appeal.pk).update(updated_at=clock.now())
        return _event(
            appeal=appeal,
            kind=kind,
            actor=actor,
            party=party,
            text=text,
            is_public=is_public,
            data=data or {},
        )


def appeal_follow(*, appeal: Appeal, user, follow: bool = True) -> bool:
    """Follow (or stop following) an appeal the user can see; returns whether they now follow it."""
    if appeal.reporter_id == user.pk:
        return True
    if user_roles(user=user).is_observer:
        raise Forbidden(
            "观察员只能查看，不能关注。", "Observers read; they do not follow.", code="observer_read_only"
        )
    if follow:
        appeal.followers.add(user)
    else:
        appeal.followers.remove(user)
    return follow


def appeal_photos_add(
    *,
    appeal: Appeal,
    user,
    uploads: Iterable,
    stage: str = PhotoStage.PROGRESS,
    event: AppealEvent | None = None,
) -> list[AppealPhoto]:
    """Attach photos to an appeal (at most 9 in all). The caller has checked the user may."""
    uploads = list(uploads)
    with transaction.atomic():
        Appeal.objects.select_for_update(of=("self",)).filter(pk=appeal.pk).first()
        have = AppealPhoto.objects.filter(appeal=appeal).count()
        prepared = photo_files.prepare(uploads, already=have)
        return _save_photos(appeal=appeal, prepared=prepared, event=event, user=user, stage=stage)


def appeal_feedback(*, appeal: Appeal, user, solved: bool, rating: str, text: str = "") -> Appeal:
    """The resident's answer (回访) — the page's feedback form and the API's `rate` alike: solved on a
    resolved appeal → confirm, then rate (the party hears "resident confirmed"); otherwise rate, which
    reopens an unsolved one. One transaction: both events or neither."""
    with transaction.atomic():
        if solved and appeal.status == Status.RESOLVED:
            appeal = appeal_transition(appeal=appeal, actor=user, action="confirm")
        return appeal_transition(
            appeal=appeal, actor=user, action="rate", rating=rating, solved=solved, text=text
        )
