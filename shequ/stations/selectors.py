"""Reads of stations, each with its permission check. The station's figures are computed here and
only here (pages, API, exports and the demo all call `station_record`)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from shequ.accounts.selectors import user_roles
from shequ.appeals.models import OPEN_STATUSES, Appeal, Status
from shequ.core.errors import Forbidden, NotFound
from shequ.core.masking import mask_name, mask_phone
from shequ.directory.models import Party, PartyKind, PartyPlace, Place
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
    Volunteer,
)

SOLVED_STATUSES = (Status.RESOLVED, Status.CLOSED)


def solved_in_station(station: Party) -> Q:
    """The one definition: resolved while still with the station and never escalated above it."""
    return Q(
        status__in=SOLVED_STATUSES, resolved_at__isnull=False, escalation_level=0, responsible_party=station
    )


def passed_up(station: Party) -> Q:
    """Escalated above the station, or handed to another party (the community, the street …)."""
    return Q(escalation_level__gt=0) | ~Q(responsible_party=station)


@dataclass(frozen=True)
class StationRecord:
    received: int  # appeals the station received first (merged duplicates not counted)
    solved_in_station: int
    passed_up: int
    volunteers: int
    party_member_volunteers: int
    service_minutes: int
    needs_taken: int

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.solved_in_station, self.received) if self.received else None

    @property
    def share_percent(self) -> str:
        share = self.share
        return "—" if share is None else f"{round(share * 100)}%"

    @property
    def service_hours(self) -> str:
        return f"{self.service_minutes / 60:.1f}"


def station_record(*, station: Party) -> StationRecord:
    """Three aggregate queries, however long the station's history."""
    appeals = (
        Appeal.objects.filter(first_party=station)
        .exclude(status=Status.MERGED)
        .aggregate(
            received=Count("id"),
            solved=Count("id", filter=solved_in_station(station)),
            up=Count("id", filter=passed_up(station)),
        )
    )
    members = PartyMember.objects.filter(user_id=OuterRef("user_id"))
    vols = Volunteer.objects.filter(station=station, is_active=True).aggregate(
        n=Count("id"), party=Count("id", filter=Q(Exists(members)))
    )
    logs = ServiceLog.objects.filter(station=station).aggregate(minutes=Sum("minutes"))
    return StationRecord(
        received=appeals["received"],
        solved_in_station=appeals["solved"],
        passed_up=appeals["up"],
        volunteers=vols["n"],
        party_member_volunteers=vols["party"],
        service_minutes=logs["minutes"] or 0,
        needs_taken=NeedTake.objects.filter(station=station).count(),
    )


def stations_for(*, user) -> QuerySet[Party]:
    """Stations serving the user's homes, plus those they volunteer or work for."""
    roles = user_roles(user=user)
    place_ids = {pid for h in roles.verified_households for pid in h.ancestor_ids()}
    mine = {m.party_id for m in roles.memberships}
    return (
        Party.objects.filter(kind=PartyKind.MUTUAL_AID_STATION, is_active=True)
        .filter(Q(served__place_id__in=place_ids) | Q(pk__in=mine))
        .distinct()
        .order_by("name")
    )


def access_station(*, user, station_id: int) -> Party:
    station = Party.objects.filter(pk=station_id, kind=PartyKind.MUTUAL_AID_STATION, is_active=True).first()
    if station is None or not user.is_authenticated:
        raise NotFound("没有这个互助站。", "No such station.")
    return station


def top_volunteers(*, station: Party, limit: int = 10) -> list[Volunteer]:
    members = PartyMember.objects.filter(user_id=OuterRef("user_id"))
    return list(
        Volunteer.objects.filter(station=station, is_active=True)
        .select_related("user")
        .annotate(minutes=Sum("logs__minutes"), is_party_member=Exists(members))
        .order_by("-minutes", "joined_at")[:limit]
    )


def needs_for(*, user, station: Party) -> QuerySet[Appeal]:
    """The station's queue: open needs routed to it. Only its volunteers and staff see it."""
    if not rules.may_see_needs(user=user, station=station):
        raise Forbidden(
            "只有本站志愿者和工作人员可以查看本站的需求。",
            "Only this station's volunteers and staff see its needs.",
        )
    return (
        Appeal.objects.filter(responsible_party=station, status__in=list(OPEN_STATUSES))
        .select_related("category", "place", "need_take__volunteer__user")
        .order_by("created_at", "id")
    )


def access_need(*, user, appeal_id: int) -> Appeal:
    appeal = (
        Appeal.objects.select_related("category", "place", "responsible_party", "reporter")
        .filter(pk=appeal_id, responsible_party__kind=PartyKind.MUTUAL_AID_STATION)
        .first()
    )
    if (
        appeal is None
        or appeal.responsible_party is None
        or not rules.may_see_needs(user=user, station=appeal.responsible_party)
    ):
        raise NotFound("没有找到这个需求。", "Need not found.")
    return appeal


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    masked: bool


def need_contact(*, user, appeal: Appeal) -> Contact:
    """The resident's contact details reach a volunteer only once they took the need (masked before)."""
    take = NeedTake.objects.filter(appeal=appeal).select_related("volunteer").first()
    reporter = appeal.reporter
    if take is not None and take.volunteer.user_id == user.pk:
        return Contact(name=reporter.real_name, phone=reporter.phone, masked=False)
    return Contact(name=mask_name(reporter.real_name), phone=mask_phone(reporter.phone), masked=True)


def need_take_of(*, appeal: Appeal) -> NeedTake | None:
    return NeedTake.objects.filter(appeal=appeal).select_related("volunteer__user").first()


def hours_ledger(*, user) -> QuerySet[ServiceLog]:
    """Each volunteer's own ledger (志愿服务时长)."""
    return (
        ServiceLog.objects.filter(volunteer__user=user)
        .select_related("station", "appeal", "appeal__category")
        .order_by("-served_on", "-id")
    )


def station_hours(*, user, station: Party) -> QuerySet[ServiceLog]:
    if not rules.is_station_staff(user=user, station=station):
        raise Forbidden(
            "只有本站工作人员可以导出服务时长。", "Only the station's staff may export its hours."
        )
    return (
        ServiceLog.objects.filter(station=station)
        .select_related("volunteer__user", "appeal")
        .order_by("-served_on", "-id")
    )


# ---------------------------------------------------------------- courses


def courses_for(*, user) -> QuerySet[Course]:
    roles = user_roles(user=user)
    place_ids = {pid for h in roles.verified_households for pid in h.ancestor_ids()}
    served = set(
        PartyPlace.objects.filter(party_id__in=roles.observed_party_ids).values_list("place_id", flat=True)
    )
    under = (
        Q(place_id__in=place_ids | served)
        | Q(place__community_id__in=served)
        | Q(place__street_id__in=served)
    )
    return (
        Course.objects.filter(under | Q(provider_id__in=roles.observed_party_ids))
        .select_related("provider", "place")
        .annotate(
            enrolled=Count(
                "enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED), distinct=True
            ),
            waitlisted=Count(
                "enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITLISTED), distinct=True
            ),
        )
        .distinct()
    )


def access_course(*, user, course_id: int) -> Course:
    course = courses_for(user=user).filter(pk=course_id).first()
    if course is None:
        raise NotFound("没有这门课程。", "No such course.")
    return course


def is_provider(*, user, course: Course) -> bool:
    return course.provider_id in {p.pk for p in rules.course_provider_parties(user=user)}


def course_roster(*, course: Course) -> list[Enrolment]:
    return list(
        course.enrolments.exclude(status=EnrolmentStatus.CANCELLED)
        .select_related("user")
        .order_by("status", "queued_at", "id")
    )


def completed_courses(*, user_ids: list[int]) -> dict[int, list[Course]]:
    """Completion (the one rule): attended every session of a course that has sessions."""
    rows = (
        SessionAttendance.objects.filter(user_id__in=user_ids)
        .values("user_id", "session__course_id")
        .annotate(n=Count("session_id", distinct=True))
    )
    sessions = dict(
        CourseSession.objects.filter(course_id__in={r["session__course_id"] for r in rows})
        .values("course_id")
        .annotate(n=Count("id"))
        .values_list("course_id", "n")
    )
    done: dict[int, set[int]] = {}
    for r in rows:
        if sessions.get(r["session__course_id"]) == r["n"]:
            done.setdefault(r["user_id"], set()).add(r["session__course_id"])
    courses = {
        c.pk: c
        for c in Course.objects.filter(pk__in={c for s in done.values() for c in s}).select_related(
            "provider"
        )
    }
    return {u: [courses[c] for c in sorted(cs)] for u, cs in done.items()}


def course_records(*, course: Course) -> list[dict]:
    """One row per enrolled person: sessions attended, completed or not (for the page and the export)."""
    sessions = list(course.sessions.all())
    attended = set(
        SessionAttendance.objects.filter(session__course=course).values_list("user_id", "session_id")
    )
    out = []
    for e in course_roster(course=course):
        marks = [(e.user_id, s.pk) in attended for s in sessions]
        out.append({"enrolment": e, "marks": marks, "completed": bool(sessions) and all(marks)})
    return out


# ---------------------------------------------------------------- party members


def branch_of(*, place: Place) -> PartyBranch | None:
    """The branch of the building if it has one, else of the compound."""
    ids = [i for i in (place.building_id, place.compound_id) if i]
    branches = {
        b.place_id: b for b in PartyBranch.objects.filter(place_id__in=ids).select_related("party_org")
    }
    return next((branches[i] for i in ids if i in branches), None)


def helping_party_members(*, building_id: int | None) -> list[PartyMember]:
    """Party members of a building who are willing to help their neighbours (谁在管我家)."""
    if building_id is None:
        return []
    return list(
        PartyMember.objects.filter(building_id=building_id, willing_to_help=True)
        .select_related("user", "branch")
        .order_by("recorded_at")
    )


def branch_service_minutes(*, branch: PartyBranch) -> int:
    """What the branch's members did as volunteers, in minutes (summed in the database)."""
    members = PartyMember.objects.filter(branch=branch).values("user_id")
    return ServiceLog.objects.filter(volunteer__user_id__in=members).aggregate(m=Sum("minutes"))["m"] or 0


def branches_for(*, user) -> QuerySet[PartyBranch]:
    org_ids = [
        m.party_id
        for m in user_roles(user=user).memberships
        if m.party.kind == PartyKind.PARTY_ORG and m.role in rules.PARTY_ORG_ROLES
    ]
    return (
        PartyBranch.objects.filter(party_org_id__in=org_ids)
        .select_related("place", "party_org")
        .annotate(n=Count("members"))
    )


def party_orgs_for(*, user) -> list[Party]:
    return [
        m.party
        for m in user_roles(user=user).memberships
        if m.party.kind == PartyKind.PARTY_ORG and m.role in rules.PARTY_ORG_ROLES
    ]


def projects_of(*, station: Party) -> list:
    """Micro-projects done by (or proposed for) the station — they count in its record."""
    from shequ.projects.selectors import projects_of_party  # noqa: PLC0415 — projects stand beside stations

    return projects_of_party(party=station)
