"""REST: mutual-aid stations (record, queue, take, resolve, hours), courses (enrol), party branches."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from shequ.core.errors import NotFound
from shequ.core.pagination import Page, paged
from shequ.stations import selectors, services

router = Router(tags=["stations"])


class StationOut(Schema):
    id: int
    name: str
    phone: str
    address: str
    hours: str


class RecordOut(Schema):
    received: int
    solved_in_station: int
    passed_up: int
    share_percent: str
    volunteers: int
    party_member_volunteers: int
    service_minutes: int
    needs_taken: int


class StationDetailOut(StationOut):
    record: RecordOut


class NeedOut(Schema):
    id: int
    number: str
    category: str
    text: str
    status: str
    taken: bool
    created_at: datetime

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.category.name

    @staticmethod
    def resolve_taken(obj) -> bool:
        return hasattr(obj, "need_take")


class ContactOut(Schema):
    name: str
    phone: str
    masked: bool


class NeedDetailOut(NeedOut):
    contact: ContactOut


class JoinIn(Schema):
    skills: list[str]
    availability: str = ""


class ResolveIn(Schema):
    text: str


class HoursIn(Schema):
    minutes: int
    served_on: date | None = None
    note: str = ""


class HoursOut(Schema):
    id: int
    appeal_id: int
    station_id: int
    minutes: int
    served_on: date
    note: str


class CourseOut(Schema):
    id: int
    title: str
    provider: str
    capacity: int
    enrolled: int
    waitlisted: int

    @staticmethod
    def resolve_provider(obj) -> str:
        return obj.provider.name


class EnrolmentOut(Schema):
    course_id: int
    status: str


def _detail(user, appeal):
    appeal.contact = selectors.need_contact(user=user, appeal=appeal)
    return appeal


@router.get("/stations", response=Page[StationOut])
@paged
def stations_list(request: HttpRequest):
    return selectors.stations_for(user=request.user)


@router.get("/stations/{station_id}", response=StationDetailOut)
def station_get(request: HttpRequest, station_id: int):
    station = selectors.access_station(user=request.user, station_id=station_id)
    station.record = selectors.station_record(station=station)  # type: ignore[attr-defined]  # for the schema
    return station


@router.post("/stations/{station_id}/volunteers", response={201: dict})
def station_join(request: HttpRequest, station_id: int, payload: JoinIn):
    station = selectors.access_station(user=request.user, station_id=station_id)
    v = services.volunteer_join(
        user=request.user, station=station, skills=payload.skills, availability=payload.availability
    )
    return Status(201, {"id": v.pk, "skills": v.skills})


@router.get("/stations/{station_id}/needs", response=Page[NeedOut])
@paged
def station_needs(request: HttpRequest, station_id: int):
    station = selectors.access_station(user=request.user, station_id=station_id)
    return selectors.needs_for(user=request.user, station=station)


@router.get("/needs/{appeal_id}", response=NeedDetailOut)
def need_get(request: HttpRequest, appeal_id: int):
    return _detail(request.user, selectors.access_need(user=request.user, appeal_id=appeal_id))


@router.post("/needs/{appeal_id}/take", response=NeedDetailOut)
def need_take(request: HttpRequest, appeal_id: int):
    appeal = selectors.access_need(user=request.user, appeal_id=appeal_id)
    services.need_take(appeal=appeal, user=request.user)
    return _detail(request.user, selectors.access_need(user=request.user, appeal_id=appeal_id))


@router.post("/needs/{appeal_id}/resolve", response=NeedDetailOut)
def need_resolve(request: HttpRequest, appeal_id: int, payload: ResolveIn):
    appeal = selectors.access_need(user=request.user, appeal_id=appeal_id)
    services.need_resolve(appeal=appeal, user=request.user, text=payload.text)
    return _detail(request.user, selectors.access_need(user=request.user, appeal_id=appeal_id))


@router.post("/needs/{appeal_id}/hours", response={201: HoursOut})
def need_hours(request: HttpRequest, appeal_id: int, payload: HoursIn):
    appeal = selectors.access_need(user=request.user, appeal_id=appeal_id)
    log = services.hours_log(
        appeal=appeal,
        user=request.user,
        minutes=payload.minutes,
        served_on=payload.served_on,
        note=payload.note,
    )
    return Status(201, log)


@router.get("/me/service-hours", response=Page[HoursOut])
@paged
def my_hours(request: HttpRequest):
    return selectors.hours_ledger(user=request.user)


@router.get("/courses", response=Page[CourseOut])
@paged
def courses_list(request: HttpRequest):
    return selectors.courses_for(user=request.user)


@router.post("/courses/{course_id}/enrol", response={201: EnrolmentOut})
def course_enrol(request: HttpRequest, course_id: int):
    course = selectors.access_course(user=request.user, course_id=course_id)
    return Status(201, services.enrol(course=course, user=request.user))


@router.post("/courses/{course_id}/cancel", response=EnrolmentOut)
def course_cancel(request: HttpRequest, course_id: int):
    course = selectors.access_course(user=request.user, course_id=course_id)
    if course is None:
        raise NotFound("没有这门课程。", "No such course.")
    return services.enrol_cancel(course=course, user=request.user)
