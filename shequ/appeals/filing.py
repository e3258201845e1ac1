"""Filing an appeal — the one service for every channel: a resident in the app, staff on behalf of a
walk-in or phone caller, a patrol, the 12345 hotline import (and later Open311). Each door parses its
own input into the typed arguments here; the rules live only here:

* `caller_for` — whom staff may file for: a resident of a compound their party serves, found by exact
  phone (or id). Anyone else is "a caller without an account", with the same answer whether or not the
  phone is registered somewhere else, so no door reveals who has an account.
* `_check_place` — where the filer may report about (a resident: their home or a shared place of their
  community; staff: places their party serves).
* `filing_plan` — routing and the due times, shared by the filing and the preview the resident sees
  before submitting, so the preview shows exactly the deadlines the appeal will get.
* `appeal_create` — validates, routes and writes the appeal, its events (and the caller's contact as an
  internal note) in one transaction; notifications run after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from shequ.accounts.models import Residency, User
from shequ.accounts.selectors import user_roles
from shequ.appeals import deadlines, routing
from shequ.appeals import photos as photo_files
from shequ.appeals.access import files_a_claim, may_file_at, staff_scope
from shequ.appeals.models import Appeal, Category, EventKind, Kind, PhotoStage, Source, Urgency
from shequ.appeals.records import checked_text, event_new, event_write, events_write, photos_save
from shequ.appeals.transitions import S
from shequ.core import clock
from shequ.core.errors import Forbidden, Invalid
from shequ.core.ratelimit import rate_limit
from shequ.directory.models import Place, PlaceKind, Spot
from shequ.directory.selectors import household_in

# ---------------------------------------------------------------- whom staff may file for


@dataclass(frozen=True)
class Caller:
    """The person staff file for. `user` is a resident of the staff's area (None: a caller without an
    account in it); `household` is their home (or the one staff picked); name and phone as given."""

    user: User | None = None
    household: Place | None = None
    name: str = ""
    phone: str = ""

    @property
    def note(self) -> str:
        """The caller's contact for the handler, when they have no account the appeal can name."""
        if self.user is not None or not (self.name or self.phone):
            return ""
        return f"来访/来电居民：{self.name} {self.phone}".strip()


def _not_staff() -> Forbidden:
    return Forbidden(
        "只有工作人员可以代居民反映。", "Only staff may file for someone else.", code="not_staff"
    )


def caller_for(
    *,
    staff: User,
    phone: str = "",
    name: str = "",
    user_id: int | None = None,
    household_id: int | None = None,
    compound_ids: list[int] | None = None,
) -> Caller:
    """THE rule for whom staff may file: a resident (active, not rejected) of a compound the staff's
    parties serve, by exact phone or by id; otherwise a caller without an account (by phone: the same
    answer whether the number is registered elsewhere or not; by id: "no such resident" either way).
    `household_id` picks a household in those compounds for a caller without an account."""
    scope = staff_scope(user=staff)  # the workbench's scope: the same policy for page and API
    if compound_ids is None:
        if not scope.may_file:
            raise _not_staff()
        compound_ids = scope.compound_ids()
    phone, name = (phone or "").strip()[:20], (name or "").strip()[:50]
    found: Residency | None = None
    if compound_ids and (user_id is not None or (phone.isdigit() and len(phone) == 11)):
        # Only where the role policy lets them file (a volunteer: their own places): a phone elsewhere
        # gets the same answer as a number nobody has.
        qs = (
            Residency.objects.filter(household__compound_id__in=compound_ids, user__is_active=True)
            .filter(scope.within_q("household__"))
            .exclude(status=Residency.Status.REJECTED)
            .select_related("user", "household")
            .order_by("-status", "id")  # a verified residency first
        )
        found = (qs.filter(user_id=user_id) if user_id is not None else qs.filter(user__phone=phone)).first()
    if user_id is not None and found is None:
        raise Invalid(
            "没有找到这位居民。",
            "No such resident in the places you serve.",
            code="reporter_invalid",
            fields={"reporter_id": "not found"},
        )
    if found is not None:
        return Caller(user=found.user, household=found.household, name=found.user.real_name, phone=phone)
    household = None
    if household_id is not None and compound_ids:
        household = household_in(
            compound_ids=compound_ids, household_id=household_id, within=scope.within_q("")
        )
    return Caller(household=household, name=name, phone=phone)


# ---------------------------------------------------------------- where one may report


def _staff_serves(*, staff: User, place: Place) -> bool:
    """The role policy's rule (staff on their party's places, volunteers on their own places only)."""
    return may_file_at(user=staff, place=place)


def _check_place(*, reporter: User, place: Place, filed_by: User | None, source: str) -> list[Place]:
    """Refuse a place the filer may not report about; return the reporter's homes (already loaded)."""
    if place.kind in (PlaceKind.DISTRICT, PlaceKind.STREET) or not place.community_id:
        raise Invalid(
            "请选择社区内的具体地点。",
            "Choose a place inside a community.",
            code="place_too_broad",
            fields={"place_id": "too broad"},
        )
    staff = filed_by or (reporter if source in (Source.PATROL, Source.HOTLINE, Source.STAFF) else None)
    if staff is not None:
        if not _staff_serves(staff=staff, place=place):
            raise Forbidden(
                "您不负责这个地点，不能代为反映。", "You do not serve this place.", code="not_serving_place"
            )
        return []
    roles = user_roles(user=reporter)
    households = [r.household for r in roles.residencies if r.status != "rejected"]
    if place.kind == PlaceKind.HOUSEHOLD:
        if place.pk not in {h.pk for h in households}:
            raise Forbidden(
                "只能反映自己家的事，或选择楼栋、小区等公共地点。",
                "You can only report about your own home or a shared place.",
                code="not_your_home",
            )
    elif place.community_id not in {h.community_id for h in households}:
        raise Forbidden(
            "只能反映本社区的事。",
            "You can only report within your own community.",
            code="not_your_community",
        )
    return list(roles.verified_households) or households


# ---------------------------------------------------------------- routing and deadlines (filing and preview)


@dataclass(frozen=True)
class FilingPlan:
    route: routing.Route
    due: deadlines.DueTimes
    start: datetime


def filing_plan(
    *, category: Category, place: Place, urgency: str, start: datetime | None = None
) -> FilingPlan:
    """Who will be responsible and the due times an appeal filed now gets — the same function for the
    filing and for the preview shown before submitting (category-specific limits included)."""
    start = start or clock.now()
    found = routing.route(category=category, place=place)
    due = deadlines.due_times(
        time_class=category.time_class, urgency=urgency, start=start, category_id=category.pk
    )
    return FilingPlan(route=found, due=due, start=start)


# ---------------------------------------------------------------- the filing


def _invalid(zh: str, en: str, code: str, field: str) -> Invalid:
    return Invalid(zh, en, code=code, fields={field: "invalid"})


def appeal_number(*, at: datetime, appeal_id: int) -> str:
    """An appeal's number: the day it was filed (Asia/Shanghai) and its id, "20261204000123"."""
    return f"{timezone.localtime(at):%Y%m%d}{appeal_id:06d}"


def _new_appeal_id() -> int | None:
    """The new appeal's id drawn from its sequence before the INSERT (PostgreSQL), so that its number
    is written by the same INSERT (an UPDATE after it would rewrite the row and every index of it);
    None where ids are only given on insert (SQLite: the number is set right after)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Appeal._meta.db_table])
        return cursor.fetchone()[0]


def appeal_create(
    *,
    reporter: User,
    kind: str,
    category: Category,
    place: Place,
    text: str,
    urgency: str = Urgency.NORMAL,
    spot: Spot | None = None,
    source: str = Source.APP,
    filed_by: User | None = None,
    is_public: bool = True,
    photos: Iterable = (),
    resolve_due_at: datetime | None = None,
    caller_note: str = "",
    to_dispatcher: bool = False,
) -> Appeal:
    """File an appeal and route it in the same transaction (to a party, or the dispatch queue).
    `filed_by` is the staff member filing for `reporter` (or for themselves from a patrol or the
    hotline); `caller_note` (staff only) keeps a caller's contact on an internal note; `resolve_due_at`
    keeps an imported order's own deadline (a 12345 order's time limit); `to_dispatcher` puts it in the
    dispatch queue without routing (a hotline address that matched no place: the dispatcher reads it)."""
    if kind not in Kind.values:
        raise _invalid("请选择诉求类型。", "Choose a valid kind.", "kind_invalid", "kind")
    if urgency not in Urgency.values:
        raise _invalid("紧急程度无效。", "Invalid urgency.", "urgency_invalid", "urgency")
    if source not in Source.values:
        raise _invalid("来源无效。", "Invalid source.", "source_invalid", "source")
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
    text = checked_text(
        text, field_name="text", required=True, zh="请写下您要反映的内容。", en="Please describe the problem."
    )
    caller_note = checked_text(caller_note, field_name="caller", required=False, zh="", en="")
    if spot is not None and spot.community_id != place.community_id:
        raise _invalid(
            "公共部位不在所选地点的社区内。", "That spot is not in this community.", "spot_invalid", "spot_id"
        )
    homes = _check_place(reporter=reporter, place=place, filed_by=filed_by, source=source)
    if filed_by is not None and source == Source.APP:
        source = Source.STAFF
    prepared = photo_files.prepare(list(photos or ()))
    # abuse limits (core.ratelimit): a resident filing for themselves, every filing about one place
    rate_limit("appeal", account=reporter.pk if filed_by is None else None, place=place.pk)
    if prepared:
        rate_limit("upload", account=(filed_by or reporter).pk, cost=len(prepared))
    household = place if place.kind == PlaceKind.HOUSEHOLD else None
    if household is None:
        if filed_by is not None:  # staff filing for a resident: the resident's homes
            roles = user_roles(user=reporter)
            homes = list(roles.verified_households) or [r.household for r in roles.residencies]
        household = next((h for h in homes if h.community_id == place.community_id), None)

    plan = filing_plan(category=category, place=place, urgency=urgency)
    found, now = plan.route, plan.start
    if to_dispatcher or (
        found.dispatched
        and files_a_claim(reporter=reporter, household=household, filed_by=filed_by, source=source)
    ):
        # Unrouted on purpose (a hotline address no place matched), or a claim (access.claim_q): the
        # verifying committee's dispatch queue, not the party the rules name, until it is verified.
        found = routing.Route(party=found.dispatcher, dispatcher=found.dispatcher, dispatched=False)
    # No savepoint of its own inside a caller's transaction (an `Idempotency-Key`'s): everything that
    # can refuse the filing ran above; a failure below fails the caller's transaction with it.
    with transaction.atomic(savepoint=False):
        appeal_id = _new_appeal_id()
        appeal = Appeal(
            id=appeal_id,
            number=appeal_number(at=now, appeal_id=appeal_id) if appeal_id else f"t{uuid.uuid4().hex[:19]}",
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
            accept_due_at=plan.due.accept_due_at,
            resolve_due_at=resolve_due_at or plan.due.resolve_due_at,
        )
        appeal.next_due_at = deadlines.next_due_of(appeal)
        appeal.save(force_insert=True)
        if appeal_id is None:  # the database gave the id on insert: the number follows it
            appeal.number = appeal_number(at=now, appeal_id=appeal.pk)
            Appeal.objects.filter(pk=appeal.pk).update(number=appeal.number)
        submitted = event_new(
            appeal=appeal,
            kind=EventKind.SUBMITTED,
            actor=filed_by or reporter,
            party=None,
            at=now,
            data={"to": appeal.status, "source": source, "filed_by": filed_by.pk if filed_by else None},
        )
        # The dispatcher hears about a queued appeal; a routed one notifies through its dispatch event.
        timeline = [(submitted, not found.dispatched)]
        if found.dispatched:
            dispatched = event_new(
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
            timeline.append((dispatched, True))
        written = events_write(timeline)
        # What the answer shows without asking again (`presenter.present_detail(just_filed=True)`).
        appeal.filed_photos = photos_save(
            appeal=appeal,
            prepared=prepared,
            event=submitted,
            user=filed_by or reporter,
            stage=PhotoStage.REPORT,
        )
        if caller_note and filed_by is not None:
            # The caller has no account yet: keep their contact on an internal note for the handler.
            note = event_write(
                appeal=appeal,
                kind=EventKind.NOTE,
                actor=filed_by,
                party=None,
                text=caller_note,
                is_public=False,
                at=now,
            )
            written.append(note)
        appeal.filed_events = written  # the whole timeline, in order (`presenter.present_detail`)
    return appeal


def appeal_file_for(
    *,
    staff: User,
    caller: Caller,
    kind: str,
    category: Category,
    place: Place | None,
    text: str,
    urgency: str,
    spot: Spot | None = None,
    source: str = Source.STAFF,
    is_public: bool = True,
    photos: Iterable = (),
) -> Appeal:
    """Staff file for a caller (`caller_for`) — the page's form and the API's `reporter_*` fields alike.
    A resident found is the reporter; a caller without an account is filed with the staff member as
    reporter (on the picked household, so its residents see it) and their contact on an internal note.
    A patrol files as the staff member. `place` None means the caller's household."""
    source = Source.STAFF if source == Source.APP else source
    place = place or caller.household
    if place is None:
        raise Invalid(
            "请选择地点；没有找到这位居民的房屋。",
            "Choose a place; no household was found for that caller.",
            code="place_required",
            fields={"place_id": "required"},
        )
    for_resident = source == Source.STAFF and caller.user is not None
    return appeal_create(
        reporter=caller.user if for_resident and caller.user is not None else staff,
        filed_by=staff,
        kind=kind,
        category=category,
        place=place,
        spot=spot,
        text=text,
        urgency=urgency,
        source=source,
        is_public=is_public,
        photos=photos,
        caller_note=caller.note if source == Source.STAFF else "",
    )
