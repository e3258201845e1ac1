"""Writes of mutual-aid stations: volunteers join, take a need (an appeal routed to the station) and
work it through the appeal's own transitions, log service hours; courses with capacity and waitlist,
session attendance; party members recorded by the party organisation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from shequ.accounts.models import Residency
from shequ.accounts.selectors import user_roles
from shequ.accounts.services import forget_roles
from shequ.appeals.models import OPEN_STATUSES, Appeal, Status
from shequ.appeals.services import appeal_transition
from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid, NotFound
from shequ.directory import parties as dparties
from shequ.directory.models import Party, PartyKind, PartyPlace, Place, PlaceKind, Role
from shequ.stations import rules
from shequ.stations.models import (
    Course,
    CourseSession,
    Enrolment,
    EnrolmentStatus,
    NeedTake,
    PartyBranch,
    PartyMember,
    ServiceLog,
    SessionAttendance,
    Skill,
    Volunteer,
)

MAX_MINUTES = 24 * 60


def _served_place_ids(party: Party) -> set[int]:
    return set(PartyPlace.objects.filter(party=party).values_list("place_id", flat=True))


def _verified_home_in(user, place_ids: set[int]) -> bool:
    return any(set(h.ancestor_ids()) & place_ids for h in user_roles(user=user).verified_households)


# ---------------------------------------------------------------- volunteers


def volunteer_join(*, user, station: Party, skills: Sequence[str], availability: str = "") -> Volunteer:
    """A verified resident of a place the station serves joins as a volunteer with skills."""
    if station.kind != PartyKind.MUTUAL_AID_STATION:
        raise NotFound("没有这个互助站。", "No such station.")
    if not _verified_home_in(user, _served_place_ids(station)):
        raise Forbidden(
            "只有本站服务范围内已认证的居民可以加入志愿者。",
            "Only verified residents of the places this station serves may volunteer.",
            code="not_resident",
        )
    skills = list(dict.fromkeys(skills))
    if not skills or any(s not in Skill.values for s in skills):
        raise Invalid(
            "请选择至少一项技能。", "Choose at least one skill.", code="skills", fields={"skills": "required"}
        )
    with transaction.atomic():
        volunteer, created = Volunteer.objects.get_or_create(
            station=station, user=user, defaults={"skills": skills, "availability": availability[:100]}
        )
        if not created:
            volunteer.skills, volunteer.availability, volunteer.is_active = skills, availability[:100], True
            volunteer.save(update_fields=["skills", "availability", "is_active"])
        # The appeal engine knows station volunteers through their directory membership.
        dparties.membership_create(user=user, party=station, role=Role.VOLUNTEER)
    forget_roles(user)
    return volunteer


# ---------------------------------------------------------------- micro-needs


def _need_for(*, appeal: Appeal) -> Party:
    station = appeal.responsible_party
    if station is None or station.kind != PartyKind.MUTUAL_AID_STATION:
        raise NotFound("这不是互助站的需求。", "This is not a station's need.")
    return station


def need_take(*, appeal: Appeal, user) -> NeedTake:
    """A volunteer of the station takes the need; the appeal is accepted (签收) in their name through
    the appeal's own transition. One taker per need (a database constraint)."""
    station = _need_for(appeal=appeal)
    volunteer = rules.active_volunteer(user=user, station=station)
    if volunteer is None:
        raise Forbidden(
            "只有本站志愿者可以接单。",
            "Only this station's volunteers may take its needs.",
            code="not_volunteer",
        )
    if appeal.status not in OPEN_STATUSES:
        raise Conflict("这个需求已经办结。", "This need is already resolved.", code="need_closed")
    try:
        with transaction.atomic():
            take = NeedTake.objects.create(appeal=appeal, station=station, volunteer=volunteer)
            if appeal.status in (Status.SUBMITTED, Status.DISPATCHED):
                appeal_transition(appeal=appeal, actor=user, action="accept")
    except IntegrityError:
        raise Conflict(
            "这个需求已被其他志愿者接单。", "Another volunteer already took this need.", code="need_taken"
        )
    return take


def _taken_by(*, appeal: Appeal, user) -> NeedTake:
    take = NeedTake.objects.select_related("volunteer").filter(appeal=appeal).first()
    if take is None or take.volunteer.user_id != user.pk:
        raise Forbidden(
            "只能为自己接单的需求操作或登记服务时长。",
            "Only for a need you took yourself.",
            code="not_your_need",
        )
    return take


def need_resolve(*, appeal: Appeal, user, text: str) -> Appeal:
    """The taker resolves the need with what was done (办结); the resident then confirms and rates it
    through the appeal's normal steps."""
    _taken_by(appeal=appeal, user=user)
    return appeal_transition(appeal=appeal, actor=user, action="resolve", text=text)


def hours_log(
    *, appeal: Appeal, user, minutes: int, served_on: date | None = None, note: str = ""
) -> ServiceLog:
    """Service hours for a need the volunteer took — for nobody else's."""
    take = _taken_by(appeal=appeal, user=user)
    if not isinstance(minutes, int) or not 0 < minutes <= MAX_MINUTES:
        raise Invalid(
            "服务时长应在1分钟到24小时之间。",
            "Service time must be between 1 minute and 24 hours.",
            code="minutes_range",
            fields={"minutes": "range"},
        )
    today = timezone.localdate(clock.now())
    served_on = served_on or today
    if served_on > today or served_on < timezone.localdate(take.taken_at):
        raise Invalid(
            "服务日期应在接单之后、今天之前。",
            "The date must be between taking the need and today.",
            code="date_range",
            fields={"served_on": "range"},
        )
    return ServiceLog.objects.create(
        station=take.station,
        volunteer=take.volunteer,
        appeal=appeal,
        minutes=minutes,
        served_on=served_on,
        note=note[:200],
    )


# ---------------------------------------------------------------- courses


def course_create(
    *,
    actor,
    provider: Party,
    place: Place,
    title: str,
    capacity: int,
    description: str = "",
    sessions: Sequence[tuple[datetime, datetime, str]] = (),
) -> Course:
    if provider.pk not in {p.pk for p in rules.course_provider_parties(user=actor)}:
        raise Forbidden(
            "只有街道、社区党组织或合作机构可以开设课程。",
            "Only the street, party organisation or a contracted body may offer courses.",
        )
    title = (title or "").strip()
    if not title:
        raise Invalid("请填写课程名称。", "Please give a title.", fields={"title": "required"})
    if not isinstance(capacity, int) or capacity < 1:
        raise Invalid("名额至少为1。", "Capacity must be at least 1.", fields={"capacity": "range"})
    with transaction.atomic():
        course = Course.objects.create(
            provider=provider,
            place=place,
            title=title[:120],
            description=description,
            capacity=capacity,
            created_by=actor,
        )
        for starts_at, ends_at, topic in sessions:
            session_add(course=course, actor=actor, starts_at=starts_at, ends_at=ends_at, topic=topic)
    return course


def _check_provider(*, course: Course, actor) -> None:
    if course.provider_id not in {p.pk for p in rules.course_provider_parties(user=actor)}:
        raise Forbidden("只有主办单位可以操作。", "Only the course's provider may do this.")


def session_add(
    *, course: Course, actor, starts_at: datetime, ends_at: datetime, topic: str = "", location: str = ""
) -> CourseSession:
    _check_provider(course=course, actor=actor)
    if ends_at <= starts_at:
        raise Invalid(
            "结束时间必须晚于开始时间。",
            "The end must be after the start.",
            fields={"ends_at": "before start"},
        )
    return CourseSession.objects.create(
        course=course, starts_at=starts_at, ends_at=ends_at, topic=topic[:120], location=location[:200]
    )


def enrol(*, course: Course, user) -> Enrolment:
    """Enrol a volunteer or resident; beyond the capacity they go to the waitlist (never over capacity)."""
    if not user.is_authenticated:
        raise Forbidden("请先登录。", "Please sign in.")
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        existing = Enrolment.objects.filter(course=locked, user=user).first()
        if existing is not None and existing.status != EnrolmentStatus.CANCELLED:
            raise Conflict("您已经报名了。", "You are already enrolled.", code="already_enrolled")
        taken = Enrolment.objects.filter(course=locked, status=EnrolmentStatus.ENROLLED).count()
        status = EnrolmentStatus.ENROLLED if taken < locked.capacity else EnrolmentStatus.WAITLISTED
        if existing is not None:
            existing.status, existing.queued_at = status, clock.now()
            existing.save(update_fields=["status", "queued_at"])
            return existing
        return Enrolment.objects.create(course=locked, user=user, status=status)


def enrol_cancel(*, course: Course, user) -> Enrolment:
    """Cancel; the first on the waitlist takes the seat."""
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        row = (
            Enrolment.objects.filter(course=locked, user=user)
            .exclude(status=EnrolmentStatus.CANCELLED)
            .first()
        )
        if row is None:
            raise NotFound("您没有报名这门课。", "You are not enrolled.")
        was = row.status
        row.status = EnrolmentStatus.CANCELLED
        row.save(update_fields=["status"])
        if was == EnrolmentStatus.ENROLLED:
            nxt = (
                Enrolment.objects.filter(course=locked, status=EnrolmentStatus.WAITLISTED)
                .order_by("queued_at", "id")
                .first()
            )
            if nxt is not None:
                nxt.status = EnrolmentStatus.ENROLLED
                nxt.save(update_fields=["status"])
    return row


def session_attendance_record(*, session: CourseSession, actor, user_ids: Sequence[int]) -> int:
    """The provider records who attended a session (only enrolled people)."""
    _check_provider(course=session.course, actor=actor)
    enrolled = set(
        Enrolment.objects.filter(
            course_id=session.course_id, status=EnrolmentStatus.ENROLLED, user_id__in=list(user_ids)
        ).values_list("user_id", flat=True)
    )
    if set(user_ids) - enrolled:
        raise Invalid(
            "只能为已报名的学员登记出勤。", "Only enrolled people can be marked present.", code="not_enrolled"
        )
    rows = [SessionAttendance(session=session, user_id=u, recorded_by=actor) for u in enrolled]
    SessionAttendance.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# ---------------------------------------------------------------- party branches and members


def branch_create(
    *, actor, party_org: Party, place: Place, name: str, secretary_name: str = ""
) -> PartyBranch:
    if not rules.is_party_org_officer(user=actor, party_org=party_org):
        raise Forbidden(
            "只有社区党组织可以设立党支部。", "Only the community party organisation may set up a branch."
        )
    if place.kind not in (PlaceKind.COMPOUND, PlaceKind.BUILDING) or not (
        set(place.ancestor_ids()) & _served_place_ids(party_org)
    ):
        raise Invalid(
            "请选择本社区的小区或楼栋。",
            "Choose a compound or building of the community.",
            fields={"place": "x"},
        )
    try:
        with transaction.atomic():
            return PartyBranch.objects.create(
                party_org=party_org,
                place=place,
                name=(name or "").strip()[:100] or f"{place.name}党支部",
                secretary_name=secretary_name[:50],
            )
    except IntegrityError:
        raise Conflict("这里已经有党支部了。", "This place already has a branch.", code="branch_exists")


def party_member_record(*, actor, branch: PartyBranch, user, willing_to_help: bool = True) -> PartyMember:
    """The party organisation records a resident as a member of a branch (never the resident)."""
    if not rules.is_party_org_officer(user=actor, party_org=branch.party_org):
        raise Forbidden(
            "党员信息只能由社区党组织登记。",
            "Only the community party organisation may record party members.",
            code="not_party_org",
        )
    home = next(
        (
            r.household
            for r in Residency.objects.filter(user=user, status=Residency.Status.VERIFIED).select_related(
                "household"
            )
            if branch.place_id in r.household.ancestor_ids()
        ),
        None,
    )
    if home is None:
        raise Invalid(
            "这位居民不住在该支部的范围内。",
            "This resident does not live where the branch is.",
            code="not_resident",
        )
    row, _ = PartyMember.objects.update_or_create(
        user=user,
        defaults={
            "branch": branch,
            "building_id": home.building_id,
            "willing_to_help": willing_to_help,
            "recorded_by": actor,
        },
    )
    return row
