"""Pages of 社区服务: activities (sign-up, waitlist, check-in) and venue booking."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shequ.accounts.models import User
from shequ.activities import selectors, services
from shequ.activities.models import ActivityKind, Signup
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.views import domain_errors, error_text
from shequ.core.widgets import ChineseDateTimeField
from shequ.directory.models import Place, PlaceKind


def _flash(request: HttpRequest, exc: DomainError) -> None:
    if isinstance(exc, Forbidden | NotFound):
        raise exc
    messages.error(request, error_text(exc))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind") if request.GET.get("kind") in ActivityKind.values else None
    qs = selectors.activities_for(user=request.user)
    if kind:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    mine = {
        s.activity_id: s
        for s in Signup.objects.filter(user=cast(User, request.user), activity__in=page.object_list)
    }
    for a in page.object_list:
        a.my_signup = mine.get(a.pk)  # type: ignore[attr-defined]  # read by the list template
    return render(
        request,
        "activities/index.html",
        {
            "page": page,
            "kind": kind,
            "kinds": ActivityKind.choices,
            "can_organise": bool(selectors.organiser_parties(user=request.user)),
        },
    )


@login_required
@domain_errors
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.access_activity(user=request.user, activity_id=pk)
    organiser = selectors.is_organiser(user=request.user, activity=activity)
    signup = selectors.my_signup(user=request.user, activity=activity)
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "signup": signup,
            "can_undo": services.signup_undo_window_open(signup=signup),
            "is_organiser": organiser,
            "signups": list(selectors.signups_for(user=request.user, activity=activity)) if organiser else [],
        },
    )


class ActivityForm(forms.Form):
    organiser = forms.TypedChoiceField(label=gettext_lazy("主办单位"), coerce=int)
    place = forms.TypedChoiceField(label=gettext_lazy("面向范围"), coerce=int)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=ActivityKind.choices)
    title = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    description = forms.CharField(label=gettext_lazy("介绍"), widget=forms.Textarea, required=False)
    location = forms.CharField(label=gettext_lazy("地点"), max_length=100, required=False)
    # Our own date and time lists (Chinese labels), not the browser's native picker.
    starts_at = ChineseDateTimeField(label=gettext_lazy("开始时间"))
    ends_at = ChineseDateTimeField(label=gettext_lazy("结束时间"))
    capacity = forms.IntegerField(label=gettext_lazy("名额"), min_value=1)

    def __init__(self, *args, parties, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        from shequ.directory.selectors import party_place_ids  # noqa: PLC0415

        cast(forms.ChoiceField, self.fields["organiser"]).choices = [(p.pk, p.name) for p in parties]
        ids: set[int] = set()
        for p in parties:
            ids |= party_place_ids(party=p)
        places = Place.objects.filter(
            kind__in=[PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING]
        ).filter(pk__in=ids) | Place.objects.filter(kind=PlaceKind.COMMUNITY, street_id__in=ids)
        cast(forms.ChoiceField, self.fields["place"]).choices = [
            (p.pk, p.scope_name()) for p in places.select_related("compound").order_by("kind", "id")[:200]
        ]


@login_required
@domain_errors
def create(request: HttpRequest) -> HttpResponse:
    parties = selectors.organiser_parties(user=request.user)
    if not parties:
        raise Forbidden("您没有发起活动的权限。", "You may not organise activities.")
    form = ActivityForm(request.POST or None, parties=parties)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            activity = services.activity_create(
                actor=request.user,
                organiser=next(p for p in parties if p.pk == d["organiser"]),
                place=get_object_or_404(Place, pk=d["place"]),
                kind=d["kind"],
                title=d["title"],
                description=d["description"],
                location=d["location"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                capacity=d["capacity"],
            )
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            form.add_error(None, error_text(exc))
            for k, v in exc.fields.items():
                if k in form.fields:
                    form.add_error(k, v)
        else:
            messages.success(request, _("活动已发布。"))
            return redirect("activities:detail", pk=activity.pk)
    return render(request, "activities/create.html", {"form": form}, status=422 if form.errors else 200)


@login_required
@require_POST
@domain_errors
def signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.access_activity(user=request.user, activity_id=pk)
    try:
        s = services.signup_create(user=request.user, activity=activity, note=request.POST.get("note", ""))
    except DomainError as exc:
        _flash(request, exc)
    else:
        if s.status == Signup.Status.CONFIRMED:
            messages.success(request, _("报名成功。"))
        else:
            messages.warning(request, _("名额已满，您已进入候补，有人取消时会自动递补并通知您。"))
    return redirect("activities:detail", pk=pk)


@login_required
@require_POST
@domain_errors
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.access_activity(user=request.user, activity_id=pk)
    if request.POST.get("confirmed") != "1":
        signup = selectors.my_signup(user=request.user, activity=activity)
        confirmed = signup is not None and signup.status == "confirmed"
        return render(
            request,
            "core/confirm.html",
            {
                "title": _("取消报名"),
                "text": (
                    _("确定取消报名吗？您的名额会让给候补的第一位；10分钟内可以撤销，之后再报名要排到最后。")
                    if confirmed
                    else _("确定取消报名吗？10分钟内可以撤销，之后再报名要排到候补的最后。")
                ),
                "action": reverse("activities:cancel", args=[pk]),
                "confirm_label": _("确定取消报名"),
                "back_url": reverse("activities:detail", args=[pk]),
            },
        )
    try:
        services.signup_cancel(user=request.user, activity=activity)
    except DomainError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已取消报名。10分钟内可以在本页撤销。"))
    return redirect("activities:detail", pk=pk)


@login_required
@require_POST
@domain_errors
def cancel_undo(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.access_activity(user=request.user, activity_id=pk)
    try:
        signup = services.signup_cancel_undo(user=request.user, activity=activity)
    except DomainError as exc:
        _flash(request, exc)
    else:
        if signup.status == "confirmed":
            messages.success(request, _("已撤销取消，您的名额保留。"))
        else:
            messages.warning(request, _("名额已递补给候补的居民，您回到原来的候补位置。"))
    return redirect("activities:detail", pk=pk)


@login_required
@require_POST
@domain_errors
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.access_activity(user=request.user, activity_id=pk)
    try:
        services.activity_cancel(actor=request.user, activity=activity, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("活动已取消，已通知报名的居民。"))
    return redirect("activities:detail", pk=pk)


@login_required
@require_POST
@domain_errors
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.access_activity(user=request.user, activity_id=pk)
    try:
        services.checkin(user=request.user, activity=activity, code=request.POST.get("code", ""))
    except DomainError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("签到成功。"))
    return redirect("activities:detail", pk=pk)


@login_required
@require_POST
@domain_errors
def checkin_by_organiser(request: HttpRequest, pk: int, signup_id: int) -> HttpResponse:
    activity = selectors.access_activity(user=request.user, activity_id=pk)
    s = get_object_or_404(Signup.objects.select_related("activity"), pk=signup_id, activity=activity)
    try:
        services.checkin_by_organiser(actor=request.user, signup=s)
    except DomainError as exc:
        _flash(request, exc)
    return redirect("activities:detail", pk=pk)


@login_required
def venues(request: HttpRequest) -> HttpResponse:
    return render(request, "activities/venues.html", {"venues": selectors.venues_for(user=request.user)})


@login_required
@domain_errors
def venue(request: HttpRequest, pk: int) -> HttpResponse:
    """A venue's slots one day at a time: a row of day chips (our own Chinese labels, links that work
    without JavaScript) instead of one list of every slot of two weeks."""
    from datetime import date, timedelta  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    v = selectors.access_venue(user=request.user, venue_id=pk)
    slots = selectors.slots_for(venue=v)
    by_day: dict[date, list] = {}
    for s in slots:
        by_day.setdefault(timezone.localdate(s.starts_at), []).append(s)
    try:
        chosen: date | None = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        chosen = None
    if chosen not in by_day:  # the first day with a free slot, else the first day
        chosen = next(
            (d for d, day_slots in by_day.items() if any(x.active_booking is None for x in day_slots)),
            next(iter(by_day), None),
        )
    days = [
        {"day": d, "free": sum(1 for x in day_slots if x.active_booking is None), "current": d == chosen}
        for d, day_slots in by_day.items()
    ]
    today = timezone.localdate()
    return render(
        request,
        "activities/venue.html",
        {
            "venue": v,
            "days": days,
            "day": chosen,
            "slots": by_day.get(chosen, []) if chosen else [],
            "is_owner": selectors.is_venue_owner(user=request.user, venue=v),
            "open_days": [today + timedelta(days=i) for i in range(1, 15)],
        },
    )


SLOT_PRESETS = {"morning": (9, 11), "afternoon": (14, 16), "evening": (19, 21)}


@login_required
@require_POST
@domain_errors
def slots_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The venue's owner opens slots on a day (morning / afternoon / evening)."""
    from datetime import date  # noqa: PLC0415

    v = selectors.access_venue(user=request.user, venue_id=pk)
    try:
        day = date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        messages.error(request, _("请选择日期。"))
        return redirect("activities:venue", pk=pk)
    hours = [SLOT_PRESETS[k] for k in request.POST.getlist("period") if k in SLOT_PRESETS]
    if not hours:
        messages.error(request, _("请至少选择一个时段。"))
        return redirect("activities:venue", pk=pk)
    try:
        services.slots_create(actor=request.user, venue=v, day=day, hours=hours)
    except DomainError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("时段已开放。"))
    return redirect("activities:venue", pk=pk)


@login_required
@require_POST
@domain_errors
def book(request: HttpRequest, slot_id: int) -> HttpResponse:
    slot = selectors.access_slot(user=request.user, slot_id=slot_id)
    try:
        services.booking_create(
            user=request.user,
            slot=slot,
            purpose=request.POST.get("purpose", ""),
            people=int(request.POST.get("people") or 1),
        )
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        messages.error(request, error_text(exc))
        return render(
            request,
            "activities/venue.html",
            {
                "venue": slot.venue,
                "slots": selectors.slots_for(venue=slot.venue),
                "is_owner": selectors.is_venue_owner(user=request.user, venue=slot.venue),
            },
            status=exc.status,
        )
    messages.success(request, _("预约已提交，等待场地管理单位审批。"))
    return redirect("activities:bookings")


@login_required
def bookings(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.bookings_for(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "activities/bookings.html", {"page": page})


@login_required
@require_POST
@domain_errors
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    b = selectors.access_booking(user=request.user, booking_id=pk)
    if request.POST.get("confirmed") != "1":
        return render(
            request,
            "core/confirm.html",
            {
                "title": _("取消预约"),
                "text": _("确定取消这次场地预约吗？取消后这个时段会让给别人预约。"),
                "action": reverse("activities:booking_cancel", args=[pk]),
                "confirm_label": _("确定取消预约"),
                "back_url": reverse("activities:bookings"),
            },
        )
    try:
        services.booking_cancel(user=request.user, booking=b)
    except DomainError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("预约已取消。"))
    return redirect("activities:bookings")


@login_required
@domain_errors
def approvals(request: HttpRequest) -> HttpResponse:
    if not selectors.organiser_parties(user=request.user):
        raise Forbidden("只有场地管理单位可以审批。", "Only venue owners may approve bookings.")
    page = Paginator(selectors.bookings_for(user=request.user, scope="approve"), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "activities/approvals.html", {"page": page})


@login_required
@require_POST
@domain_errors
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    b = selectors.access_booking(user=request.user, booking_id=pk)
    try:
        services.booking_decide(
            actor=request.user,
            booking=b,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已处理。"))
    return redirect("activities:approvals")
