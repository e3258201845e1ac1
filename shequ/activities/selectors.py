"""Reads of activities and venues, with who may see, join, organise and approve."""

from __future__ import annotations

from typing import Protocol

from django.db.models import Q, QuerySet

from shequ.accounts.models import Residency
from shequ.accounts.selectors import user_roles
from shequ.activities.models import ACTIVE_BOOKING, Activity, Booking, Signup, Venue, VenueSlot
from shequ.appeals.access import may_write, role_policy
from shequ.core import clock
from shequ.core.errors import Forbidden, NotFound
from shequ.directory.models import Place
from shequ.directory.selectors import party_place_ids


class Placed(Protocol):
    """Anything whose place decides who may join it (an activity, a venue)."""

    place: Place


def _resident_ids(user, *, verified_only: bool) -> set[int]:
    ids: set[int] = set()
    for r in user_roles(user=user).residencies:
        if r.status == Residency.Status.VERIFIED or (
            not verified_only and r.status == Residency.Status.PENDING
        ):
            ids |= set(r.household.ancestor_ids())
    return ids


def _staff_ids(user) -> set[int]:
    """Places of the parties the user acts for — observers read and never write (access.may_write), so an
    observer membership lets nobody sign up or book."""
    ids: set[int] = set()
    for m in user_roles(user=user).memberships:
        if role_policy(m) != "observer":
            ids |= party_place_ids(party=m.party)
    return ids


def _within(place: Place, ids: set[int]) -> bool:
    return bool(set(place.ancestor_ids()) & ids)


def community_ids_for(*, user) -> set[int]:
    """Communities the user lives in or whose places their parties serve (or that lie under them)."""
    ids = {
        r.household.community_id
        for r in user_roles(user=user).residencies
        if r.status != Residency.Status.REJECTED
    }
    staff = _staff_ids(user)
    if staff:
        ids |= set(
            Place.objects.filter(
                Q(pk__in=staff) | Q(street_id__in=staff) | Q(district_id__in=staff), kind="community"
            ).values_list("pk", flat=True)
        )
        ids |= set(
            Place.objects.filter(pk__in=staff)
            .exclude(community_id=None)
            .values_list("community_id", flat=True)
        )
    return {i for i in ids if i is not None}


def can_see(*, user, place: Place) -> bool:
    return _within(place, _resident_ids(user, verified_only=False) | _staff_ids(user)) or (
        place.community_id in community_ids_for(user=user)
    )


def activities_for(*, user, upcoming: bool = True) -> QuerySet[Activity]:
    qs = Activity.objects.filter(community_id__in=community_ids_for(user=user)).select_related(
        "organiser", "place", "place__compound"
    )
    if upcoming:
        qs = qs.filter(ends_at__gte=clock.now())
    return qs.order_by("starts_at", "id")


def is_organiser(*, user, activity: Activity) -> bool:
    return user_roles(user=user).acts_for(activity.organiser_id)


def access_activity(*, user, activity_id: int) -> Activity:
    activity = (
        Activity.objects.select_related("organiser", "place", "place__compound", "venue")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None:
        raise NotFound("活动不存在。", "Activity not found.")
    if is_organiser(user=user, activity=activity) or activity.community_id in community_ids_for(user=user):
        return activity
    raise Forbidden("这个活动不面向您所在的社区。", "This activity is not open to your community.")


def check_can_join(*, user, activity: Activity | Placed) -> None:
    if not may_write(user=user):
        raise Forbidden(
            "观察员只能查看，不能报名或预约。",
            "Observers read; they do not sign up or book.",
            code="observer_read_only",
        )
    if not _within(activity.place, _resident_ids(user, verified_only=True)) and not _within(
        activity.place, _staff_ids(user)
    ):
        raise Forbidden(
            "只有本社区已认证的居民可以报名。",
            "Only verified residents may sign up.",
            code="not_verified_resident",
        )


def my_signup(*, user, activity: Activity) -> Signup | None:
    return Signup.objects.filter(activity=activity, user=user).first()


def signups_for(*, user, activity: Activity) -> QuerySet[Signup]:
    if not is_organiser(user=user, activity=activity):
        raise Forbidden("只有主办单位可以查看报名名单。", "Only the organiser may see the sign-up list.")
    return (
        Signup.objects.filter(activity=activity).select_related("user").order_by("status", "queued_at", "id")
    )


def organiser_parties(*, user) -> list:
    roles = user_roles(user=user)
    return [m.party for m in roles.memberships if m.party_id in roles.party_ids]


def venues_for(*, user) -> QuerySet[Venue]:
    return Venue.objects.filter(community_id__in=community_ids_for(user=user), is_active=True).select_related(
        "owner", "place", "place__compound"
    )


def access_venue(*, user, venue_id: int) -> Venue:
    venue = (
        Venue.objects.select_related("owner", "place", "place__compound", "spot").filter(pk=venue_id).first()
    )
    if venue is None:
        raise NotFound("场地不存在。", "Venue not found.")
    if user_roles(user=user).acts_for(venue.owner_id) or venue.community_id in community_ids_for(user=user):
        return venue
    raise Forbidden("这个场地不面向您所在的社区。", "This venue is not open to your community.")


def slots_for(*, venue: Venue, days: int = 14) -> list[VenueSlot]:
    """Upcoming slots, each with `.active_booking` (pending/approved) or None."""
    from datetime import timedelta  # noqa: PLC0415

    now = clock.now()
    slots = list(
        VenueSlot.objects.filter(
            venue=venue, ends_at__gt=now, starts_at__lt=now + timedelta(days=days)
        ).order_by("starts_at")
    )
    active = {b.slot_id: b for b in Booking.objects.filter(slot__in=slots, status__in=ACTIVE_BOOKING)}
    for s in slots:
        s.active_booking = active.get(s.pk)  # type: ignore[attr-defined]  # read by the venue template
    return slots


def access_slot(*, user, slot_id: int) -> VenueSlot:
    slot = VenueSlot.objects.select_related("venue").filter(pk=slot_id).first()
    if slot is None:
        raise NotFound("时段不存在。", "Slot not found.")
    access_venue(user=user, venue_id=slot.venue_id)
    return slot


def is_venue_owner(*, user, venue: Venue) -> bool:
    return user_roles(user=user).acts_for(venue.owner_id)


def access_booking(*, user, booking_id: int) -> Booking:
    booking = Booking.objects.select_related("venue", "slot", "user").filter(pk=booking_id).first()
    if booking is None:
        raise NotFound("预约不存在。", "Booking not found.")
    if booking.user_id == user.pk or is_venue_owner(user=user, venue=booking.venue):
        return booking
    raise NotFound("预约不存在。", "Booking not found.")


def bookings_for(*, user, scope: str = "mine") -> QuerySet[Booking]:
    qs = Booking.objects.select_related("venue", "slot", "user")
    if scope == "approve":
        return qs.filter(venue__owner_id__in=user_roles(user=user).party_ids).order_by(
            "status", "slot__starts_at"
        )
    return qs.filter(user=user).order_by("-slot__starts_at")
