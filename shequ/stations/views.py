"""Pages of mutual-aid stations, training courses and party branches."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.accounts.models import User
from shequ.core.errors import DomainError, Forbidden, Invalid, NotFound
from shequ.core.masking import mask_name
from shequ.core.views import domain_errors, error_text
from shequ.core.widgets import ChineseDateField, posted, today
from shequ.core.xlsx import xlsx_response
from shequ.stations import exports, rules, selectors, services
from shequ.stations.models import EnrolmentStatus, Skill


def _flash(request: HttpRequest, exc: DomainError) -> None:
    if isinstance(exc, Forbidden | NotFound):
        raise exc
    messages.error(request, error_text(exc))


def _int(value: str | None, name: str) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise Invalid("请填写数字。", "Please enter a number.", fields={name: "number"})


@login_required
def index(request: HttpRequest) -> HttpResponse:
    stations = list(selectors.stations_for(user=request.user))
    return render(request, "stations/index.html", {"stations": stations})


@login_required
@domain_errors
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    station = selectors.access_station(user=request.user, station_id=pk)
    if request.method == "POST":
        try:
            services.volunteer_join(
                user=request.user,
                station=station,
                skills=request.POST.getlist("skills"),
                availability=request.POST.get("availability", ""),
            )
        except DomainError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("欢迎加入志愿者队伍！"))
        return redirect("stations:detail", pk)
    volunteers = selectors.top_volunteers(station=station)
    completions = selectors.completed_courses(user_ids=[v.user_id for v in volunteers])
    for v in volunteers:  # display fields for the table (names masked: volunteers are residents)
        v.display_name = mask_name(v.user.real_name)  # type: ignore[attr-defined]  # template-only field
        v.completed = completions.get(v.user_id, [])  # type: ignore[attr-defined]  # template-only field
    return render(
        request,
        "stations/detail.html",
        {
            "station": station,
            "record": selectors.station_record(station=station),
            "volunteers": volunteers,
            "projects": selectors.projects_of(station=station),
            "is_volunteer": rules.active_volunteer(user=request.user, station=station) is not None,
            "may_see_needs": rules.may_see_needs(user=request.user, station=station),
            "is_staff": rules.is_station_staff(user=request.user, station=station),
            "skills": Skill.choices,
        },
    )


@login_required
@domain_errors
def needs(request: HttpRequest, pk: int) -> HttpResponse:
    station = selectors.access_station(user=request.user, station_id=pk)
    rows = list(selectors.needs_for(user=request.user, station=station)[:200])
    return render(request, "stations/needs.html", {"station": station, "needs": rows})


class ServedOnForm(forms.Form):
    """The day a volunteer served (today and the 60 days before, latest first; empty means today)."""

    served_on = ChineseDateField(label=gettext_lazy("服务日期"), required=False)


@login_required
@domain_errors
def need(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = selectors.access_need(user=request.user, appeal_id=appeal_id)
    hours = ServedOnForm(
        request.POST if request.POST.get("action") == "hours" else None, initial={"served_on": today()}
    )
    error: DomainError | None = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "take":
                services.need_take(appeal=appeal, user=request.user)
                messages.success(request, _("已接单，请尽快联系居民。"))
            elif action == "resolve":
                services.need_resolve(appeal=appeal, user=request.user, text=request.POST.get("text", ""))
                messages.success(request, _("已办结，等待居民确认和评价。"))
            elif action == "hours":
                served_on = posted(hours, "served_on")
                services.hours_log(
                    appeal=appeal,
                    user=request.user,
                    minutes=_int(request.POST.get("minutes"), "minutes"),
                    served_on=served_on,
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("服务时长已登记。"))
            else:
                raise NotFound("没有这个操作。", "Unknown action.")
        except DomainError as exc:
            if not (action == "hours" and isinstance(exc, Invalid)):
                _flash(request, exc)
                return redirect("stations:need", appeal_id)
            error = exc  # the hours form again, with the error and what was typed
        else:
            return redirect("stations:need", appeal_id)
    take = selectors.need_take_of(appeal=appeal)
    return render(
        request,
        "stations/need.html",
        {
            "appeal": appeal,
            "take": take,
            "mine": take is not None and take.volunteer.user_id == request.user.pk,
            "contact": selectors.need_contact(user=request.user, appeal=appeal),
            "is_volunteer": appeal.responsible_party is not None
            and rules.active_volunteer(user=request.user, station=appeal.responsible_party) is not None,
            "hours": hours,
            "hours_post": request.POST if error else {},
            "hours_error": error_text(error) if error else "",
            "hours_fields": error.fields if error else {},
        },
        status=422 if error else 200,
    )


@login_required
def my_hours(request: HttpRequest) -> HttpResponse:
    logs = list(selectors.hours_ledger(user=request.user)[:500])
    user_id: int = request.user.pk or 0  # signed in (login_required)
    completed = selectors.completed_courses(user_ids=[user_id]).get(user_id, [])
    return render(
        request,
        "stations/my_hours.html",
        {"logs": logs, "total_minutes": sum(x.minutes for x in logs), "completed": completed},
    )


@login_required
def my_hours_export(request: HttpRequest) -> HttpResponse:
    return xlsx_response(
        "我的志愿服务时长.xlsx", [exports.hours_sheet(selectors.hours_ledger(user=request.user))]
    )


@login_required
@domain_errors
def hours_export(request: HttpRequest, pk: int) -> HttpResponse:
    station = selectors.access_station(user=request.user, station_id=pk)
    rows = selectors.station_hours(user=request.user, station=station)
    return xlsx_response(f"{station.name}服务时长.xlsx", [exports.hours_sheet(rows, with_volunteer=True)])


# ---------------------------------------------------------------- courses


@login_required
def courses(request: HttpRequest) -> HttpResponse:
    return render(
        request, "stations/courses.html", {"courses": list(selectors.courses_for(user=request.user)[:100])}
    )


@login_required
@domain_errors
def course(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.access_course(user=request.user, course_id=pk)
    provider = selectors.is_provider(user=request.user, course=row)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "enrol":
                e = services.enrol(course=row, user=request.user)
                messages.success(
                    request,
                    _("报名成功。")
                    if e.status == EnrolmentStatus.ENROLLED
                    else _("名额已满，您已进入候补。"),
                )
            elif action == "cancel":
                services.enrol_cancel(course=row, user=request.user)
                messages.success(request, _("已取消报名。"))
            elif action == "attendance":
                session = row.sessions.filter(pk=_int(request.POST.get("session"), "session")).first()
                if session is None:
                    raise NotFound("没有这节课。", "No such session.")
                ids = [_int(v, "present") for v in request.POST.getlist("present")]
                services.session_attendance_record(session=session, actor=request.user, user_ids=ids)
                messages.success(request, _("出勤已登记。"))
            else:
                raise NotFound("没有这个操作。", "Unknown action.")
        except DomainError as exc:
            _flash(request, exc)
        return redirect("stations:course", pk)
    mine = (
        row.enrolments.filter(user_id=request.user.pk or 0).exclude(status=EnrolmentStatus.CANCELLED).first()
    )
    return render(
        request,
        "stations/course.html",
        {
            "course": row,
            "sessions": list(row.sessions.all()),
            "mine": mine,
            "provider": provider,
            "records": selectors.course_records(course=row) if provider else [],
        },
    )


@login_required
@domain_errors
def course_export(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.access_course(user=request.user, course_id=pk)
    if not selectors.is_provider(user=request.user, course=row):
        raise Forbidden("只有主办单位可以导出。", "Only the provider may export.")
    return xlsx_response(
        f"{row.title}学员记录.xlsx", [exports.course_sheet(row, selectors.course_records(course=row))]
    )


# ---------------------------------------------------------------- party branches


@login_required
@domain_errors
def party(request: HttpRequest) -> HttpResponse:
    branches = list(selectors.branches_for(user=request.user))
    if not branches and not selectors.party_orgs_for(user=request.user):
        raise Forbidden(
            "只有社区党组织可以管理党支部。", "Only the community party organisation manages branches."
        )
    return render(request, "stations/party.html", {"branches": branches})


@login_required
@domain_errors
def branch(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.branches_for(user=request.user).filter(pk=pk).first()
    if row is None:
        raise NotFound("没有这个党支部。", "No such branch.")
    if request.method == "POST":
        try:
            user = User.objects.filter(phone=(request.POST.get("phone") or "").strip()).first()
            if user is None:
                raise Invalid(
                    "没有这个手机号的居民。", "No resident with this phone.", fields={"phone": "unknown"}
                )
            services.party_member_record(
                actor=request.user,
                branch=row,
                user=user,
                willing_to_help=bool(request.POST.get("willing_to_help")),
            )
        except DomainError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("党员已登记。"))
        return redirect("stations:branch", pk)
    return render(
        request,
        "stations/branch.html",
        {
            "branch": row,
            "members": list(row.members.select_related("user", "building").order_by("recorded_at")),
            "service_hours": f"{selectors.branch_service_minutes(branch=row) / 60:.1f}",
        },
    )
