"""Writes to appeals. `appeal_create` and `appeal_transition` are the only ways an appeal changes.

The allowed-transitions table (`TRANSITIONS`) says, for each action, the statuses it may start from
and the status it leads to; `ACTORS` says who may perform it. `appeal_transition` locks the row,
checks both, saves only the fields that changed, writes one immutable AppealEvent, recomputes the
deadlines, and queues the notifications (a job that runs after commit).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from shequ.accounts.selectors import user_roles
from shequ.appeals import deadlines, routing
from shequ.appeals import photos as photo_files
from shequ.appeals.access import ACTORS as ACTORS
from shequ.appeals.access import PHOTO_ACTIONS, actor_capacity
from shequ.appeals.actions import HANDLERS
from shequ.appeals.actions import escalation_data as escalation_data  # the sweeper's batch writes it too
from shequ.appeals.helpers import fee_waiver_eligible as fee_waiver_eligible
from shequ.appeals.helpers import helper_company_choices as helper_company_choices
from shequ.appeals.models import (
    Appeal,
    AppealEvent,
    AppealPhoto,
    Category,
    EventKind,
    Kind,
    PhotoStage,
    Source,
    Urgency,
)
from shequ.appeals.step import Step, _event, _refuse_state, _text
from shequ.appeals.transitions import EVENT_OF as EVENT_OF
from shequ.appeals.transitions import TRANSITIONS, S
from shequ.core import clock
from shequ.core.errors import Forbidden, Invalid, NotFound
from shequ.core.ratelimit import rate_limit
from shequ.directory.models import Party, PartyKind, PartyPlace, Place, PlaceKind, Spot
from shequ.directory.selectors import party_place_ids, place_within


def _local_date(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y%m%d")


# ---------------------------------------------------------------- create


def _check_place(*, reporter, place: Place, filed_by, source: str) -> None:
    if place.kind in (PlaceKind.DISTRICT, PlaceKind.STREET) or not place.community_id:
        raise Invalid(
            "请选择社区内的具体地点。",
            "Choose a place inside a community.",
            code="place_too_broad",
            fields={"place_id": "too broad"},
        )
    staff = filed_by or (reporter if source in (Source.PATROL, Source.HOTLINE, Source.STAFF) else None)
    if staff is not None:
        acting = user_roles(user=staff).party_ids
        ok = (
            acting
            and PartyPlace.objects.filter(party_id__in=acting, place_id__in=place.ancestor_ids()).exists()
        )
        if not ok:
            ok = acting and any(
                place_within(place=place, ancestor_ids=party_place_ids(party=p))
                for p in Party.objects.filter(pk__in=acting, kind=PartyKind.PROPERTY_COMPANY)
            )
        if not ok:
            raise Forbidden(
                "您不负责这个地点，不能代为反映。", "You do not serve this place.", code="not_serving_place"
            )
        return
    roles = user_roles(user=reporter)
    households = [r.household for r in roles.residencies if r.status != "rejected"]
    if place.kind == PlaceKind.HOUSEHOLD:
        if place.pk not in {h.pk for h in households}:
            raise Forbidden(
                "只能反映自己家的事，或选择楼栋、小区等公共地点。",
                "You can only report about your own home or a shared place.",
                code="not_your_home",
            )
        return
    if place.community_id not in {h.community_id for h in households}:
        raise Forbidden(
            "只能反映本社区的事。",
            "You can only report within your own community.",
            code="not_your_community",
        )


def appeal_create(
    *,
    reporter,
    kind: str,
    category: Category,
    place: Place,
    text: str,
    urgency: str = Urgency.NORMAL,
    spot: Spot | None = None,
    source: str = Source.APP,
    filed_by=None,
    is_public: bool = True,
    photos: Iterable = (),
    resolve_due_at: datetime | None = None,
) -> Appeal:
    """File an appeal and route it in the same transaction (to a party, or the dispatch queue).
    `resolve_due_at` keeps an imported order's own deadline (a 12345 order's time limit)."""
    if kind not in Kind.values:
        raise Invalid(
            "请选择诉求类型。", "Choose a valid kind.", code="kind_invalid", fields={"kind": "invalid"}
        )
    if urgency not in Urgency.values:
        raise Invalid(
            "紧急程度无效。", "Invalid urgency.", code="urgency_invalid", fields={"urgency": "invalid"}
        )
    if source not in Source.values:
        raise Invalid("来源无效。", "Invalid source.", code="source_invalid", fields={"source": "invalid"})
    if not category.is_active:
        raise Invalid(
            "该分类已停用。",
            "This category is no longer in use.",
            code="category_inactive",
            fields={"category": "inactive"},
        )
    if kind == Kind.CONSULT:
        if not category.is_consultation:
            raise Invalid(
                "咨询请选择健康、养老或安全类。",
                "Consultations are for health, elderly care or safety.",
                code="category_not_consultation",
                fields={"category": "not a consultation category"},
            )
        is_public = False
    text = _text(
        text, field_name="text", required=True, zh="请写下您要反映的内容。", en="Please describe the problem."
    )
    if spot is not None:
        if spot.community_id != place.community_id:
            raise Invalid(
                "公共部位不在所选地点的社区内。",
                "That spot is not in this community.",
                code="spot_invalid",
                fields={"spot_id": "invalid"},
            )
    _check_place(reporter=reporter, place=place, filed_by=filed_by, source=source)
    if filed_by is not None and source == Source.APP:
        source = Source.STAFF
    prepared = photo_files.prepare(list(photos or ()))
    # abuse limits (core.ratelimit): a resident filing for themselves, every filing about one place
    rate_limit("appeal", account=reporter.pk if filed_by is None else None, place=place.pk)
    if prepared:
        rate_limit("upload", account=(filed_by or reporter).pk, cost=len(prepared))
    household = place if place.kind == PlaceKind.HOUSEHOLD else None
    if household is None:
        roles = user_roles(user=reporter)
        homes = roles.verified_households or [r.household for r in roles.residencies]
        same = [h for h in homes if h.community_id == place.community_id]
        household = same[0] if same else None

    now = clock.now()
    with transaction.atomic():
        found = routing.route(category=category, place=place)
        due = deadlines.due_times(
            time_class=category.time_class, urgency=urgency, start=now, category_id=category.pk
        )
        appeal = Appeal(
            number=f"t{uuid.uuid4().hex[:19]}",
            kind=kind,
            category=category,
            urgency=urgency,
            place=place,
            spot=spot,
            street_id=place.street_id,
            community_id=place.community_id,
            compound_id=place.compound_id,
            building_id=place.building_id,
            household=household,
            text=text,
            source=source,
            reporter=reporter,
            filed_by=filed_by,
            is_public=is_public,
            status=S.DISPATCHED if found.dispatched else S.SUBMITTED,
            dispatcher=found.dispatcher,
            responsible_party=found.party,
            first_party=found.party if found.dispatched else None,
            created_at=now,
            updated_at=now,
            dispatched_at=now if found.dispatched else None,
            accept_due_at=due.accept_due_at,
            resolve_due_at=resolve_due_at or due.resolve_due_at,
        )
        appeal.next_due_at = deadlines.next_due_of(appeal)
        appeal.save()
        appeal.number = f"{_local_date(now)}{appeal.pk:06d}"
        Appeal.objects.filter(pk=appeal.pk).update(number=appeal.number)
        submitted = _event(
            appeal=appeal,
            kind=EventKind.SUBMITTED,
            actor=filed_by or reporter,
            party=None,
            at=now,
            data={"to": appeal.status, "source": source, "filed_by": filed_by.pk if filed_by else None},
            notify=not found.dispatched,  # the dispatcher hears about a queued appeal
        )
        _save_photos(
            appeal=appeal,
            prepared=prepared,
            event=submitted,
            user=filed_by or reporter,
            stage=PhotoStage.REPORT,
        )
        if found.dispatched:
            _event(
                appeal=appeal,
                kind=EventKind.DISPATCHED,
                actor=None,
                party=found.party,
                at=now,
                data={
                    "from": S.SUBMITTED,
                    "to": S.DISPATCHED,
                    "to_party": found.party.pk,
                    "rule": found.rule.pk if found.rule else None,
                    "auto": True,
                },
            )
    return appeal


def _save_photos(
    *, appeal: Appeal, prepared: list, event: AppealEvent | None, user, stage: str
) -> list[AppealPhoto]:
    saved = []
    for item in prepared:
        photo = AppealPhoto(
            appeal=appeal,
            event=event,
            stage=stage,
            uploaded_by=user,
            size=item.size,
            width=item.width,
            height=item.height,
        )
        photo.image.save("photo.jpg", item.image, save=False)
        photo.thumbnail.save("thumb.jpg", item.thumbnail, save=False)
        photo.save()
        saved.append(photo)
    return saved


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
        handler(step, target)
        step.commit()
        if prepared:
            stage = PhotoStage.RESOLUTION if action == "resolve" else PhotoStage.PROGRESS
            _save_photos(appeal=locked, prepared=prepared, event=step.event, user=actor, stage=stage)
    return locked


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
