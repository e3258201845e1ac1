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
from typing import Any

from django.db import transaction
from django.utils import timezone

from shequ.accounts.selectors import user_roles
from shequ.appeals import deadlines, routing
from shequ.appeals import photos as photo_files
from shequ.appeals.access import ACTORS, PHOTO_ACTIONS, Capacity, actor_capacity
from shequ.appeals.models import (
    Appeal,
    AppealEvent,
    AppealPhoto,
    Category,
    EventKind,
    Kind,
    PhotoStage,
    Rating,
    Source,
    Status,
    Urgency,
)
from shequ.appeals.transitions import EVENT_OF, TRANSITIONS, S
from shequ.core import clock, jobs
from shequ.core.errors import Conflict, Forbidden, Invalid, NotFound
from shequ.core.ratelimit import rate_limit
from shequ.directory.models import Party, PartyKind, PartyPlace, Place, PlaceKind, Spot
from shequ.directory.selectors import party_place_ids, place_within

TEXT_MAX = 2000


# ---------------------------------------------------------------- helpers


def _text(value: Any, *, field_name: str, required: bool, zh: str, en: str) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise Invalid(zh, en, code=f"{field_name}_required", fields={field_name: en})
    if len(text) > TEXT_MAX:
        raise Invalid(
            "内容太长（最多2000字）。",
            "Too long (at most 2000 characters).",
            code="text_too_long",
            fields={field_name: "too long"},
        )
    return text


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


def _notify_job(event: AppealEvent) -> None:
    jobs.enqueue("appeals.notify_event", event_id=event.pk, dedupe_key=f"appeals.notify_event:{event.pk}")


def _event(
    *,
    appeal: Appeal,
    kind: str,
    actor,
    party: Party | None,
    text: str = "",
    is_public: bool = True,
    data: dict | None = None,
    at: datetime | None = None,
    notify: bool = True,
) -> AppealEvent:
    event = AppealEvent.objects.create(
        appeal=appeal,
        kind=kind,
        actor=actor,
        party=party,
        text=text,
        is_public=is_public,
        data=data or {},
        created_at=at or clock.now(),
    )
    if notify:
        _notify_job(event)
    return event


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


def _refuse_state(appeal: Appeal, action: str) -> Conflict:
    return Conflict(
        f"诉求当前状态为“{Status(appeal.status).label}”，不能执行此操作。",
        f"This action ({action}) is not allowed while the appeal is {appeal.status}.",
        code="transition_not_allowed",
    )


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
        step = _Step(appeal=locked, actor=actor, cap=cap, action=action, data=data, now=clock.now())
        handler = _HANDLERS[action]
        handler(step, target)
        step.commit()
        if prepared:
            stage = PhotoStage.RESOLUTION if action == "resolve" else PhotoStage.PROGRESS
            _save_photos(appeal=locked, prepared=prepared, event=step.event, user=actor, stage=stage)
    return locked


class _Step:
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


def _dispatch_to(step: _Step, party: Party, target: str) -> None:
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


def _h_dispatch(step: _Step, target: str) -> None:
    party = _party(step.data.get("to_party") or step.data.get("to_party_id"))
    step.event_text = step.reason(required=False)
    _dispatch_to(step, party, target)


def _h_transfer(step: _Step, target: str) -> None:
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


def _h_accept(step: _Step, target: str) -> None:
    appeal = step.appeal
    if appeal.status == S.SUBMITTED and "dispatcher" not in step.cap.capacities:
        raise _refuse_state(appeal, "accept")
    step.set("status", target)
    step.set("accepted_at", step.now)
    step.set("handler", step.actor)
    if appeal.first_party_id is None:
        step.set("first_party", appeal.responsible_party)
    step.event_party = appeal.responsible_party


def _h_return(step: _Step, target: str) -> None:
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


def _h_pause(step: _Step, target: str) -> None:
    step.event_text = step.reason(required=True)
    step.set("status", target)
    step.set("paused_at", step.now)


def _h_resume(step: _Step, target: str) -> None:
    step.event_text = step.reason(required=False)
    step.end_pause()
    step.set("status", target)


def _h_reply(step: _Step, target: str | None) -> None:
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


def _h_note(step: _Step, target: str | None) -> None:
    step.event_text = _text(
        step.data.get("text"),
        field_name="text",
        required=True,
        zh="请填写备注内容。",
        en="Please write the note.",
    )
    step.event_public = False


def _h_resolve(step: _Step, target: str) -> None:
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


def _close(step: _Step) -> None:
    step.set("status", S.CLOSED)
    step.set("closed_at", step.now)
    step.set("callback_due_at", None)


def _h_confirm(step: _Step, target: str) -> None:
    step.event_text = step.reason(required=False)
    step.set("solved", True)
    _close(step)
    step.event_party = None


def _reopen(step: _Step) -> None:
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


def _h_reopen(step: _Step, target: str) -> None:
    appeal = step.appeal
    if appeal.status == S.CLOSED and appeal.closed_unrated:
        raise _refuse_state(appeal, "reopen")
    step.event_text = step.reason(required=True)
    step.event_party = None
    step.event_data["reopen_count"] = 1
    _reopen(step)


def _h_rate(step: _Step, target: str | None) -> None:
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


def _h_close(step: _Step, target: str) -> None:
    step.event_text = step.reason(required=step.actor is not None)
    step.end_pause()
    _close(step)


def _h_close_unrated(step: _Step, target: str) -> None:
    step.event_text = step.reason(required=False) or "回访期满未评价，自动关闭。"
    step.event_party = None
    step.set("closed_unrated", True)
    _close(step)


def _h_merge(step: _Step, target: str) -> None:
    appeal = step.appeal
    into = step.data.get("into") or step.data.get("into_id")
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


def _h_escalate(step: _Step, target: str | None) -> None:
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


_HANDLERS = {
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
}


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
