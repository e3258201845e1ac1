"""Writes of 社区服务: activities (sign-up, waitlist, check-in) and venue booking."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shequ.accounts.selectors import user_roles
from shequ.activities.models import ACTIVE_BOOKING, Activity, ActivityKind, Booking, Signup, Venue, VenueSlot
from shequ.activities.selectors import check_can_join, is_venue_owner
from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.core.ratelimit import rate_limit
from shequ.directory.models import Party, Place, PlaceKind, Spot
from shequ.directory.selectors import party_place_ids, place_within
from shequ.notifications.services import notify


def _check_party_place(*, actor, party: Party, place: Place) -> None:
    if not user_roles(user=actor).acts_for(party.pk):
        raise Forbidden("您不能以该单位的名义操作。", "You may not act for this organisation.")
    if not place_within(place=place, ancestor_ids=party_place_ids(party=party)):
        raise Forbidden(
            "该单位不服务这个地点。", "This organisation does not serve this place.", code="scope_not_served"
        )


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def activity_create(
    *,
    actor,
    organiser: Party,
    place: Place,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    description: str = "",
    location: str = "",
    venue: Venue | None = None,
    signup_closes_at: datetime | None = None,
) -> Activity:
    _check_party_place(actor=actor, party=organiser, place=place)
    errors = {}
    if kind not in ActivityKind.values:
        errors["kind"] = "请选择活动类型。"
    if not (title or "").strip():
        errors["title"] = "请填写名称。"
    if not capacity or capacity < 1:
        errors["capacity"] = "名额至少为1。"
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = "结束时间必须晚于开始时间。"
    if errors:
        raise Invalid("活动信息有误。", "The activity is invalid.", fields=errors)
    if place.community_id is None:
        raise Invalid("活动必须面向一个社区或更小的范围。", "An activity belongs to a community or smaller.")
    return Activity.objects.create(
        kind=kind,
        title=title.strip(),
        description=description,
        place=place,
        community_id=place.community_id,
        organiser=organiser,
        created_by=actor,
        location=location or (venue.name if venue else ""),
        venue=venue,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        signup_closes_at=signup_closes_at,
        checkin_code=_new_code(),
    )


def _counts(activity_id: int) -> None:
    from django.db.models import Count, Q  # noqa: PLC0415

    c = Signup.objects.filter(activity_id=activity_id).aggregate(
        confirmed=Count("id", filter=Q(status=Signup.Status.CONFIRMED)),
        waitlisted=Count("id", filter=Q(status=Signup.Status.WAITLISTED)),
    )
    Activity.objects.filter(pk=activity_id).update(
        confirmed_count=c["confirmed"], waitlist_count=c["waitlisted"]
    )


def signup_create(*, user, activity: Activity, note: str = "") -> Signup:
    """Take a place, or a place on the waitlist when full. Locks the activity row so capacity holds."""
    check_can_join(user=user, activity=activity)
    now = clock.now()
    with transaction.atomic():
        act = Activity.objects.select_for_update().get(pk=activity.pk)
        if act.status != Activity.Status.OPEN:
            raise Conflict("活动已取消。", "The activity was cancelled.", code="activity_cancelled")
        if (act.signup_closes_at and act.signup_closes_at < now) or act.starts_at < now:
            raise Conflict("报名已截止。", "Sign-up has closed.", code="signup_closed")
        existing = Signup.objects.filter(activity=act, user=user).first()
        if existing is not None and existing.status != Signup.Status.CANCELLED:
            raise Conflict("您已经报过名了。", "You have already signed up.", code="already_signed_up")
        confirmed = Signup.objects.filter(activity=act, status=Signup.Status.CONFIRMED).count()
        status = Signup.Status.CONFIRMED if confirmed < act.capacity else Signup.Status.WAITLISTED
        if existing is not None:
            existing.status, existing.queued_at, existing.note = status, now, note[:200]
            existing.save(update_fields=["status", "queued_at", "note", "updated_at"])
            signup = existing
        else:
            signup = Signup.objects.create(
                activity=act, user=user, status=status, queued_at=now, note=note[:200]
            )
        _counts(act.pk)
    return signup


def signup_cancel(*, user, activity: Activity) -> Signup:
    """Cancel a sign-up; a freed place goes to the first person on the waitlist, who is told."""
    with transaction.atomic():
        act = Activity.objects.select_for_update().get(pk=activity.pk)
        signup = (
            Signup.objects.filter(activity=act, user=user).exclude(status=Signup.Status.CANCELLED).first()
        )
        if signup is None:
            raise Conflict("您没有报名这个活动。", "You have not signed up.", code="not_signed_up")
        freed = signup.status == Signup.Status.CONFIRMED
        signup.status = Signup.Status.CANCELLED
        signup.cancelled_at = clock.now()
        signup.save(update_fields=["status", "cancelled_at", "updated_at"])
        if freed:
            _promote(act)
        _counts(act.pk)
    return signup


UNDO_CANCEL_WINDOW = timedelta(minutes=10)


def signup_undo_window_open(*, signup: Signup | None, now=None) -> bool:
    """May this cancelled sign-up still be undone (within UNDO_CANCEL_WINDOW of the cancellation)?"""
    return bool(
        signup is not None
        and signup.status == Signup.Status.CANCELLED
        and signup.cancelled_at is not None
        and (now or clock.now()) - signup.cancelled_at <= UNDO_CANCEL_WINDOW
    )


def signup_cancel_undo(*, user, activity: Activity) -> Signup:
    """Undo a cancellation within UNDO_CANCEL_WINDOW: the place comes back when one is free; when the
    waitlist's first person already took it, the sign-up goes back to its old place in the queue
    (its original queue time, so ahead of later sign-ups) — nobody loses a place they were given."""
    now = clock.now()
    with transaction.atomic():
        act = Activity.objects.select_for_update().get(pk=activity.pk)
        signup = Signup.objects.filter(activity=act, user=user).first()
        if not signup_undo_window_open(signup=signup, now=now):
            raise Conflict(
                "已超过撤销时限，请重新报名。",
                "Too late to undo; please sign up again.",
                code="undo_too_late",
            )
        assert signup is not None  # (checked above)
        if act.status != Activity.Status.OPEN or act.starts_at < now:
            raise Conflict("报名已截止。", "Sign-up has closed.", code="signup_closed")
        confirmed = Signup.objects.filter(activity=act, status=Signup.Status.CONFIRMED).count()
        signup.status = Signup.Status.CONFIRMED if confirmed < act.capacity else Signup.Status.WAITLISTED
        signup.cancelled_at = None
        signup.save(update_fields=["status", "cancelled_at", "updated_at"])
        _counts(act.pk)
    return signup


def _promote(act: Activity) -> Signup | None:
    confirmed = Signup.objects.filter(activity=act, status=Signup.Status.CONFIRMED).count()
    if confirmed >= act.capacity:
        return None
    nxt = (
        Signup.objects.select_for_update()
        .filter(activity=act, status=Signup.Status.WAITLISTED)
        .order_by("queued_at", "id")
        .first()
    )
    if nxt is None:
        return None
    nxt.status = Signup.Status.CONFIRMED
    nxt.save(update_fields=["status", "updated_at"])
    notify(
        recipients=[nxt.user_id],
        verb="activity_promoted",
        title=f"候补成功：{act.title}",
        body=f"有人取消了报名，您已从候补转为正式报名。活动时间：{timezone.localtime(act.starts_at):%Y-%m-%d %H:%M}",
        url=reverse("activities:detail", args=[act.pk]),
        key=f"activity:promoted:{nxt.pk}:{act.pk}",
    )
    return nxt


def activity_cancel(*, actor, activity: Activity, reason: str) -> Activity:
    """The organiser calls an activity off; everyone signed up or waiting is told."""
    if not user_roles(user=actor).acts_for(activity.organiser_id):
        raise Forbidden("只有主办单位可以取消活动。", "Only the organiser may cancel the activity.")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请填写取消原因。", "A reason is required.", fields={"reason": "必填"})
    with transaction.atomic():
        act = Activity.objects.select_for_update().get(pk=activity.pk)
        if act.status == Activity.Status.CANCELLED:
            return act
        act.status = Activity.Status.CANCELLED
        act.save(update_fields=["status", "updated_at"])
        people = (
            Signup.objects.filter(activity=act)
            .exclude(status=Signup.Status.CANCELLED)
            .values_list("user_id", flat=True)
        )
        notify(
            recipients=list(people),
            verb="activity_cancelled",
            title=f"活动取消：{act.title}",
            body=reason,
            url=reverse("activities:detail", args=[act.pk]),
            key=f"activity:cancelled:{act.pk}",
        )
    activity.status = act.status
    return act


def checkin(*, user, activity: Activity, code: str) -> Signup:
    """A participant checks in with the code the organiser shows at the event."""
    now = clock.now()
    if activity.status != Activity.Status.OPEN:
        raise Conflict("活动已取消。", "The activity was cancelled.", code="activity_cancelled")
    if (code or "").strip() != activity.checkin_code:
        raise Invalid(
            "签到码不正确。", "Wrong check-in code.", code="bad_checkin_code", fields={"code": "签到码不正确"}
        )
    if now < activity.starts_at - timedelta(hours=1) or now > activity.ends_at + timedelta(hours=1):
        raise Conflict("不在签到时间内。", "Check-in is not open now.", code="checkin_closed")
    signup = Signup.objects.filter(activity=activity, user=user, status=Signup.Status.CONFIRMED).first()
    if signup is None:
        raise Forbidden(
            "您没有这个活动的正式报名。",
            "You have no confirmed place for this activity.",
            code="not_confirmed",
        )
    if signup.checked_in_at is None:
        Signup.objects.filter(pk=signup.pk, checked_in_at__isnull=True).update(
            checked_in_at=now, checked_in_by=user
        )
        signup.checked_in_at = now
    return signup


def checkin_by_organiser(*, actor, signup: Signup) -> Signup:
    if not user_roles(user=actor).acts_for(signup.activity.organiser_id):
        raise Forbidden("只有主办单位可以代为签到。", "Only the organiser may check people in.")
    if signup.status != Signup.Status.CONFIRMED:
        raise Conflict("只有正式报名的人可以签到。", "Only confirmed participants can check in.")
    if signup.checked_in_at is None:
        signup.checked_in_at, signup.checked_in_by = clock.now(), actor
        signup.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
    return signup


def venue_create(
    *,
    actor,
    owner: Party,
    place: Place,
    name: str,
    spot: Spot | None = None,
    capacity: int = 0,
    description: str = "",
) -> Venue:
    _check_party_place(actor=actor, party=owner, place=place)
    if place.community_id is None or place.kind in (PlaceKind.DISTRICT, PlaceKind.STREET):
        raise Invalid("场地必须在社区之内。", "A venue lies inside a community.")
    return Venue.objects.create(
        name=name.strip(),
        place=place,
        community_id=place.community_id,
        spot=spot,
        owner=owner,
        capacity=capacity,
        description=description,
    )


def slots_create(*, actor, venue: Venue, day, hours: list[tuple[int, int]]) -> list[VenueSlot]:
    """Open bookable slots on a day, e.g. hours=[(9, 11), (14, 16)] (local time). Existing slots are kept."""
    if not is_venue_owner(user=actor, venue=venue):
        raise Forbidden("只有场地管理单位可以开放时段。", "Only the venue's owner may open slots.")
    made = []
    for start_h, end_h in hours:
        if not 0 <= start_h < end_h <= 24:
            raise Invalid("时段无效。", "Invalid slot hours.")
        starts = timezone.make_aware(datetime(day.year, day.month, day.day, start_h))
        ends = starts + timedelta(hours=end_h - start_h)
        slot, _ = VenueSlot.objects.get_or_create(venue=venue, starts_at=starts, defaults={"ends_at": ends})
        made.append(slot)
    return made


def booking_create(*, user, slot: VenueSlot, purpose: str, people: int = 1) -> Booking:
    """Ask for a slot. The database allows one pending-or-approved booking per slot: concurrent requests
    race on that unique index and exactly one wins; the others get a 409 Conflict."""
    venue = slot.venue
    if not venue.is_active:
        raise Conflict("这个场地暂停开放。", "This venue is closed.", code="venue_closed")
    check_can_join(user=user, activity=_VenueScope(venue))
    purpose = (purpose or "").strip()
    if not purpose:
        raise Invalid("请填写用途。", "Please give the purpose.", fields={"purpose": "必填"})
    rate_limit("booking", account=user.pk, place=venue.pk)
    if slot.starts_at <= clock.now():
        raise Conflict("这个时段已经开始或过去了。", "This slot has already started.", code="slot_past")
    taken = Conflict("这个时段已被预约，请选择其他时段。", "This slot is already booked.", code="slot_taken")
    if Booking.objects.filter(slot=slot, status__in=ACTIVE_BOOKING).exists():
        raise taken
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                venue=venue, slot=slot, user=user, purpose=purpose[:200], people=max(1, int(people or 1))
            )
    except IntegrityError:
        raise taken
    _notify_owner(booking)
    return booking


class _VenueScope:
    """Lets check_can_join judge a venue like an activity (its place decides who may use it)."""

    def __init__(self, venue: Venue) -> None:
        self.place = venue.place


def _notify_owner(booking: Booking) -> None:
    from shequ.directory.models import Membership  # noqa: PLC0415

    staff = (
        Membership.objects.filter(party_id=booking.venue.owner_id, is_active=True)
        .exclude(role="observer")
        .values_list("user_id", flat=True)
    )
    notify(
        recipients=list(staff),
        verb="booking_pending",
        title=f"场地预约待审批：{booking.venue.name}",
        body=booking.purpose,
        url=reverse("activities:approvals"),
        key=f"booking:pending:{booking.pk}",
    )


def booking_decide(*, actor, booking: Booking, approve: bool, reason: str = "") -> Booking:
    if not is_venue_owner(user=actor, venue=booking.venue):
        raise Forbidden("只有场地管理单位可以审批。", "Only the venue's owner may approve bookings.")
    with transaction.atomic():
        row = Booking.objects.select_for_update().get(pk=booking.pk)
        if row.status != Booking.Status.PENDING:
            raise Conflict(
                "这个预约已经处理过了。", "This booking was already decided.", code="already_decided"
            )
        row.status = Booking.Status.APPROVED if approve else Booking.Status.REJECTED
        row.decided_by, row.decided_at, row.reason = actor, clock.now(), (reason or "")[:200]
        row.save(update_fields=["status", "decided_by", "decided_at", "reason", "updated_at"])
        title = f"场地预约已批准：{row.venue.name}" if approve else f"场地预约未获批准：{row.venue.name}"
        notify(
            recipients=[row.user_id],
            verb="booking_decided",
            title=title,
            body=row.reason,
            url=reverse("activities:bookings"),
            key=f"booking:decided:{row.pk}",
        )
    return row


def booking_cancel(*, user, booking: Booking) -> Booking:
    if booking.user_id != user.pk:
        raise Forbidden("只能取消自己的预约。", "You may only cancel your own booking.")
    with transaction.atomic():
        row = Booking.objects.select_for_update().get(pk=booking.pk)
        if row.status not in ACTIVE_BOOKING:
            raise Conflict("这个预约不能取消。", "This booking cannot be cancelled.")
        row.status = Booking.Status.CANCELLED
        row.save(update_fields=["status", "updated_at"])
    return row
