"""REST: activities (list, sign-up, cancel, check-in) and venues (slots, bookings, approval)."""

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from shequ.activities import selectors, services
from shequ.core.pagination import Page, paged

router = Router(tags=["activities"])


class ActivityOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    organiser: str
    location: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    confirmed_count: int
    waitlist_count: int
    status: str

    @staticmethod
    def resolve_organiser(obj) -> str:
        return obj.organiser.name


class SignupOut(Schema):
    id: int
    activity_id: int
    status: str
    queued_at: datetime
    checked_in_at: datetime | None


class SignupIn(Schema):
    note: str = ""


class CheckinIn(Schema):
    code: str


class VenueOut(Schema):
    id: int
    name: str
    place_id: int
    owner: str
    capacity: int
    description: str

    @staticmethod
    def resolve_owner(obj) -> str:
        return obj.owner.name


class SlotOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    available: bool

    @staticmethod
    def resolve_available(obj) -> bool:
        return getattr(obj, "active_booking", None) is None


class BookingIn(Schema):
    purpose: str
    people: Annotated[int, Field(ge=1, le=10_000)] = 1


class BookingOut(Schema):
    id: int
    venue_id: int
    slot_id: int
    status: str
    purpose: str
    people: int
    reason: str
    created_at: datetime


class DecideIn(Schema):
    approve: bool
    reason: str = ""


@router.get("/activities", response=Page[ActivityOut], summary="近期活动 / Upcoming activities")
@paged
def activities(request: HttpRequest, kind: str | None = None):
    qs = selectors.activities_for(user=request.user)
    return qs.filter(kind=kind) if kind else qs


@router.get("/activities/{activity_id}", response=ActivityOut, summary="活动详情 / An activity")
def activity(request: HttpRequest, activity_id: int):
    return selectors.access_activity(user=request.user, activity_id=activity_id)


@router.post("/activities/{activity_id}/signup", response={201: SignupOut}, summary="报名 / Sign up")
def signup(request: HttpRequest, activity_id: int, payload: SignupIn):
    a = selectors.access_activity(user=request.user, activity_id=activity_id)
    return Status(201, services.signup_create(user=request.user, activity=a, note=payload.note))


@router.post("/activities/{activity_id}/cancel", response=SignupOut, summary="取消报名 / Cancel")
def cancel(request: HttpRequest, activity_id: int):
    a = selectors.access_activity(user=request.user, activity_id=activity_id)
    return services.signup_cancel(user=request.user, activity=a)


@router.post("/activities/{activity_id}/checkin", response=SignupOut, summary="签到 / Check in")
def checkin(request: HttpRequest, activity_id: int, payload: CheckinIn):
    a = selectors.access_activity(user=request.user, activity_id=activity_id)
    return services.checkin(user=request.user, activity=a, code=payload.code)


@router.get("/venues", response=Page[VenueOut], summary="场地 / Venues")
@paged
def venues(request: HttpRequest):
    return selectors.venues_for(user=request.user)


@router.get("/venues/{venue_id}/slots", response=Page[SlotOut], summary="时段 / Slots")
@paged
def slots(request: HttpRequest, venue_id: int):
    v = selectors.access_venue(user=request.user, venue_id=venue_id)
    return selectors.slots_for(venue=v)


@router.post(
    "/venues/slots/{slot_id}/bookings",
    response={201: BookingOut},
    summary="预约时段 / Book a slot (409 when taken)",
)
def book(request: HttpRequest, slot_id: int, payload: BookingIn):
    slot = selectors.access_slot(user=request.user, slot_id=slot_id)
    return Status(
        201,
        services.booking_create(user=request.user, slot=slot, purpose=payload.purpose, people=payload.people),
    )


@router.get(
    "/venues/bookings", response=Page[BookingOut], summary="我的预约或待审批 / Bookings (scope=mine|approve)"
)
@paged
def bookings(request: HttpRequest, scope: str = "mine"):
    return selectors.bookings_for(user=request.user, scope="approve" if scope == "approve" else "mine")


@router.post("/venues/bookings/{booking_id}/approve", response=BookingOut, summary="审批 / Approve or reject")
def approve(request: HttpRequest, booking_id: int, payload: DecideIn):
    b = selectors.access_booking(user=request.user, booking_id=booking_id)
    return services.booking_decide(
        actor=request.user, booking=b, approve=payload.approve, reason=payload.reason
    )


@router.post("/venues/bookings/{booking_id}/cancel", response=BookingOut, summary="取消预约 / Cancel")
def booking_cancel(request: HttpRequest, booking_id: int):
    b = selectors.access_booking(user=request.user, booking_id=booking_id)
    return services.booking_cancel(user=request.user, booking=b)
