"""Appeal pages (叫得应): report in three steps, my appeals, an appeal's page, the public list, the workbench.

Views are thin: parse input with a form, fetch through the permission-checking selectors, call one
service, render. Domain errors become pages: NotFound → 404, Forbidden → 403, Invalid/Conflict →
the form again with the message. An htmx request gets the partial of the same view.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, When, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shequ.accounts.models import Residency, User
from shequ.accounts.selectors import primary_household, residents_search, user_roles
from shequ.appeals import deadlines, routing, selectors, services
from shequ.appeals.forms import (
    RATING_CHOICES,
    URGENCY_CHOICES,
    DescribeForm,
    FeedbackForm,
    PlaceStepForm,
    QueueFilterForm,
    StaffFileForm,
    new_form_token,
)
from shequ.appeals.models import (
    AWAITING_ACCEPT,
    OPEN_STATUSES,
    Appeal,
    AppealPhoto,
    Category,
    PhotoStage,
    Status,
)
from shequ.core import clock, idempotency
from shequ.core.errors import DomainError, Forbidden, Invalid, NotFound
from shequ.core.views import domain_errors, error_text
from shequ.directory.models import Party, Place, PlaceKind, Spot
from shequ.directory.selectors import (
    compounds_served_by,
    household_in,
    households_search,
    parties_serving,
    places_for_filing,
    places_under,
    property_company_for,
)

PAGE_SIZE = 20
MINE_FILTERS = {
    "open": (gettext_lazy("办理中"), list(OPEN_STATUSES)),
    "rate": (gettext_lazy("待评价"), [Status.RESOLVED]),
    "done": (gettext_lazy("已结束"), [Status.CLOSED, Status.MERGED]),
}
QUEUE_PAGE_SIZE = 25

# Consultation entries shown on step 1 (DESIGN §1: 家庭医生, 社区民警).
CONSULT_LABELS = {
    "health": gettext_lazy("问家庭医生"),
    "safety": gettext_lazy("警民直通车"),
    "elderly-care": gettext_lazy("养老助老咨询"),
}
CONSULT_ICONS = {"health": "doctor", "safety": "shield", "elderly-care": "heart"}
KIND_FOR_CATEGORY = {"suggestion": "suggestion", "praise": "praise"}
# Step 2 preselects the matching public spot (the lift of my building for a lift problem).
SPOT_FOR_CATEGORY = {
    "lift": ("lift",),
    "bike-shed": ("bike_shed", "charger"),
    "access-control": ("gate",),
    "heating": ("boiler_room",),
    "water": ("pump_room",),
}


# ---------------------------------------------------------------- errors → pages


_pages = domain_errors


_message_of = error_text


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# ---------------------------------------------------------------- presentation helpers


def _duration(seconds: float) -> str:
    minutes = max(int(math.ceil(abs(seconds) / 60)), 1)
    if minutes < 60:
        return _("%(n)d分钟") % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return _("%(n)d小时") % {"n": hours}
    return _("%(n)d天") % {"n": hours // 24}


@dataclass
class Chip:
    level: str  # ok | warn | bad | overdue | info
    label: str
    title: str = ""


def _clock_chip(*, due: datetime, start: datetime | None, now: datetime, stage: str) -> Chip:
    left = (due - now).total_seconds()
    if left <= 0:
        label = (_("签收已超时%(t)s") if stage == "accept" else _("办结已超时%(t)s")) % {"t": _duration(left)}
        return Chip("overdue", label)
    total = (due - start).total_seconds() if start and due > start else left
    share = left / total if total > 0 else 0
    level = "ok" if share > 0.5 else ("warn" if share > 0.2 else "bad")
    label = (_("签收剩%(t)s") if stage == "accept" else _("办结剩%(t)s")) % {"t": _duration(left)}
    return Chip(level, label)


def _time_chips(appeal: Appeal, now: datetime) -> list[Chip]:
    """Time-left chips: green → amber → red → overdue (DESIGN §9)."""
    start = appeal.dispatched_at or appeal.created_at
    chips: list[Chip] = []
    if appeal.status in AWAITING_ACCEPT and appeal.accept_due_at:
        chips.append(_clock_chip(due=appeal.accept_due_at, start=start, now=now, stage="accept"))
    if appeal.status in (Status.ACCEPTED, Status.IN_PROGRESS, *AWAITING_ACCEPT) and appeal.resolve_due_at:
        if appeal.status not in AWAITING_ACCEPT or not chips:
            chips.append(_clock_chip(due=appeal.resolve_due_at, start=start, now=now, stage="resolve"))
    if appeal.status == Status.PAUSED:
        chips.append(Chip("info", _("已暂停，计时停止")))
    if appeal.status == Status.RESOLVED and appeal.rating is None:
        chips.append(Chip("info", _("待居民评价")))
    return chips


def _decorate(
    appeals: list[Appeal], *, user: User, now: datetime, force_masked: bool = False
) -> list[Appeal]:
    """Attach what list rows and the appeal page show: masked or full place/name/text, time chips."""
    viewer = selectors.viewer_for(user=user)
    for a in appeals:
        masked = force_masked or not viewer.sees_full(a)
        a.masked = masked  # type: ignore[attr-defined]
        a.display_place = selectors.place_label(appeal=a, masked=masked)  # type: ignore[attr-defined]
        a.display_reporter = selectors.reporter_label(appeal=a, masked=masked)["name"]  # type: ignore
        a.display_text = selectors.display_text(a.text, masked=masked)  # type: ignore[attr-defined]
        a.display_outcome = selectors.display_text(a.outcome, masked=masked)  # type: ignore[attr-defined]
        a.time_chips = _time_chips(a, now)  # type: ignore[attr-defined]
        a.time_chip = a.time_chips[0] if a.time_chips else None  # type: ignore[attr-defined]
    return appeals


LIST_RELATED = selectors.LIST_RELATED


def _page(request: HttpRequest, qs: QuerySet, size: int = PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _qs_without_page(request: HttpRequest, drop: tuple[str, ...] = ("page",)) -> str:
    return urlencode([(k, v) for k, vs in request.GET.lists() for v in vs if k not in drop])


# ---------------------------------------------------------------- report in three steps


def _category_icon(category: Category) -> str:
    return category.icon or "tools"


def _category(code: str) -> Category | None:
    if not code:
        return None
    try:
        return selectors.category_by_code(code=code)
    except DomainError:
        return None


def _report_url(**params) -> str:
    return reverse("appeals:report") + "?" + urlencode({k: v for k, v in params.items() if v})


def _resolve_place(options, value: str) -> tuple[Place, Spot | None, str] | None:
    for key, label, place, spot in options:
        if key == value:
            return place, spot, label
    return None


def _preview(category: Category, place: Place, urgency: str) -> dict | None:
    """ "将由 XX物业 负责，30分钟内签收" — shown before the resident submits."""
    try:
        route = routing.route(category=category, place=place)
    except DomainError:
        return None
    return {
        "party_name": route.party.name,
        "dispatched": route.dispatched,
        "accept_within": _duration(deadlines.accept_limit(urgency=urgency).total_seconds()),
    }


@login_required
@_pages
def report(request: HttpRequest) -> HttpResponse:
    """Report a problem in at most three steps: category → place and urgency → describe and submit."""
    if request.method == "POST":
        return _report_submit(request)
    consult = request.GET.get("kind") == "consult"
    code = request.GET.get("category", "")
    category = _category(code)
    if category is not None and consult and not category.is_consultation:
        consult = False
    household, options = selectors.report_places_for(user=request.user)
    if category is None:
        return _report_step1(request, household)
    if consult and household is not None:
        # A consultation is about the resident: their household, normal urgency; skip step 2.
        return _report_step3(
            request,
            category=category,
            options=options,
            consult=True,
            place_value=options[0][0],
            urgency="normal",
        )
    if request.GET.get("step") == "3":
        form = PlaceStepForm(request.GET, place_choices=[(k, label) for k, label, *_rest in options])
        if form.is_valid():
            return _report_step3(
                request,
                category=category,
                options=options,
                consult=consult,
                place_value=form.cleaned_data["place"],
                urgency=form.cleaned_data["urgency"],
            )
    else:
        kinds = SPOT_FOR_CATEGORY.get(category.code, ())
        matching = [
            (k, spot) for k, _label, _place, spot in options if spot is not None and spot.kind in kinds
        ]
        # Prefer the spot of my own unit ("2单元电梯" for someone living in 2单元).
        unit_name = household.unit.name if household is not None and household.unit is not None else "\0"
        matching.sort(key=lambda item: not item[1].name.startswith(unit_name))
        preselect = matching[0][0] if matching else None
        initial = {"urgency": category.default_urgency}
        if preselect:
            initial["place"] = preselect
        form = PlaceStepForm(place_choices=[(k, label) for k, label, *_rest in options], initial=initial)
    return render(
        request,
        "appeals/report_place.html",
        {"category": category, "form": form, "consult": consult, "household": household},
    )


def _report_step1(request: HttpRequest, household: Place | None) -> HttpResponse:
    categories = selectors.categories(active_only=True)
    children: dict[int, list[Category]] = {}
    for c in categories:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    groups = []
    singles = []
    for c in categories:
        if c.parent_id:
            continue
        kids = children.get(c.pk)
        if kids:
            groups.append(
                {
                    "title": c.name,
                    "items": [
                        {
                            "code": k.code,
                            "name": k.name,
                            "icon": _category_icon(k),
                            "url": _report_url(category=k.code),
                        }
                        for k in kids
                    ],
                }
            )
        else:
            singles.append(
                {
                    "code": c.code,
                    "name": c.name,
                    "icon": _category_icon(c),
                    "url": _report_url(category=c.code),
                }
            )
    if singles:
        groups.append({"title": _("其他问题"), "items": singles})
    consults = [
        {
            "code": c.code,
            "name": CONSULT_LABELS.get(c.code, c.name),
            "icon": CONSULT_ICONS.get(c.code, c.icon),
            "url": _report_url(kind="consult", category=c.code),
        }
        for c in categories
        if c.is_consultation
    ]
    return render(
        request,
        "appeals/report_category.html",
        {"groups": groups, "consults": consults, "household": household},
    )


def _report_step3(
    request: HttpRequest,
    *,
    category: Category,
    options,
    consult: bool,
    place_value: str,
    urgency: str,
    form: DescribeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    resolved = _resolve_place(options, place_value)
    if resolved is None:
        raise Http404(_("没有这个地点。"))
    place, _spot, label = resolved
    if form is None:
        form = DescribeForm(
            initial={
                "category": category.code,
                "place": place_value,
                "urgency": urgency,
                "consult": consult,
                "token": new_form_token(),
                "kind": KIND_FOR_CATEGORY.get(category.code, "help"),
            }
        )
    if consult:
        form.fields["text"].widget.attrs["placeholder"] = _("例如：最近血压偏高，饮食上要注意什么？")
    return render(
        request,
        "appeals/report_describe.html",
        {
            "category": category,
            "form": form,
            "consult": consult,
            "place_label": label,
            "title": CONSULT_LABELS.get(category.code, category.name) if consult else category.name,
            "urgency_label": dict(URGENCY_CHOICES).get(urgency, urgency),
            "preview": _preview(category, place, urgency),
            "show_kind": not consult and category.code not in KIND_FOR_CATEGORY,
            "back_url": _report_url(category=category.code, place=place_value, urgency=urgency),
        },
        status=status,
    )


def _report_submit(request: HttpRequest) -> HttpResponse:
    form = DescribeForm(request.POST, request.FILES)
    household, options = selectors.report_places_for(user=request.user)
    category = _category(request.POST.get("category", ""))
    if category is None:
        raise Http404(_("没有这个问题类型。"))
    consult = request.POST.get("consult") in ("True", "true", "on", "1") and category.is_consultation
    if not form.is_valid():
        return _report_step3(
            request,
            category=category,
            options=options,
            consult=consult,
            place_value=request.POST.get("place", ""),
            urgency=request.POST.get("urgency", "normal"),
            form=form,
            status=422,
        )
    data = form.cleaned_data
    resolved = _resolve_place(options, data["place"])
    if resolved is None:
        raise Http404(_("没有这个地点。"))
    place, spot, _label = resolved
    if consult:
        kind = "consult"
    else:
        kind = KIND_FOR_CATEGORY.get(category.code) or data.get("kind") or "help"

    def create() -> int:
        return services.appeal_create(
            reporter=request.user,
            kind=kind,
            category=category,
            place=place,
            spot=spot,
            text=data["text"],
            urgency=data["urgency"],
            source="app",
            is_public=not (consult or data["private"]),
            photos=data["photos"],
        ).pk

    try:
        appeal_id = _once(request, token=data["token"], work=create)
    except DomainError as exc:
        form.add_error(None, _message_of(exc))
        return _report_step3(
            request,
            category=category,
            options=options,
            consult=consult,
            place_value=data["place"],
            urgency=data["urgency"],
            form=form,
            status=422,
        )
    messages.success(request, _("已提交。下面是负责处理的单位和时限。"))
    return HttpResponseRedirect(reverse("appeals:detail", args=[appeal_id]))


def _once(request: HttpRequest, *, token: str, work: Callable[[], int]) -> int:
    """Run `work() -> appeal id` once per form token: a double-tapped or resent form files one appeal, not two."""
    try:
        return idempotency.once(user=request.user, key=f"form:{token}", path=request.path, work=work)
    except idempotency.InProgress as exc:
        raise Http404(_("请求正在处理，请刷新页面查看。")) from exc


# ---------------------------------------------------------------- lists


@login_required
@_pages
def mine(request: HttpRequest) -> HttpResponse:
    qs = selectors.appeals_visible_to(user=request.user, scope="mine").select_related(*LIST_RELATED)
    show = request.GET.get("show", "")
    if show in MINE_FILTERS:
        qs = qs.filter(status__in=MINE_FILTERS[show][1])
    page = _page(request, qs.order_by("-created_at", "-id"))
    _decorate(list(page.object_list), user=request.user, now=clock.now())
    tabs = [{"key": "", "label": _("全部"), "current": show not in MINE_FILTERS}] + [
        {"key": key, "label": label, "current": show == key}
        for key, (label, _statuses) in MINE_FILTERS.items()
    ]
    return render(request, "appeals/mine.html", {"page": page, "qs": _qs_without_page(request), "tabs": tabs})


@login_required
@_pages
def public(request: HttpRequest) -> HttpResponse:
    """Public appeals of my community, by compound; personal data masked for everyone."""
    qs = selectors.appeals_visible_to(user=request.user, scope="public").select_related(*LIST_RELATED)
    household = primary_household(user=request.user)
    compounds: list[Place] = []
    if household is not None and household.community is not None:
        compounds = list(places_under(place=household.community, kind=PlaceKind.COMPOUND))
    current = request.GET.get("compound", "")
    current_id = int(current) if current.isdigit() else None
    if current_id:
        qs = qs.filter(compound_id=current_id)
    page = _page(request, qs)
    _decorate(list(page.object_list), user=request.user, now=clock.now(), force_masked=True)
    return render(
        request,
        "appeals/public.html",
        {
            "page": page,
            "qs": _qs_without_page(request),
            "compounds": compounds,
            "current_compound": current_id,
        },
    )


# ---------------------------------------------------------------- an appeal's page


ACTION_SPECS = {
    # name: (summary label, field, field label, button, files, danger)
    "return": (
        gettext_lazy("退单"),
        "reason",
        gettext_lazy("退单原因"),
        gettext_lazy("确认退单"),
        False,
        True,
    ),
    "transfer": (
        gettext_lazy("转办"),
        "reason",
        gettext_lazy("转办原因"),
        gettext_lazy("确认转办"),
        False,
        False,
    ),
    "dispatch": (gettext_lazy("派单"), "", "", gettext_lazy("派出"), False, False),
    "pause": (
        gettext_lazy("暂停计时"),
        "reason",
        gettext_lazy("暂停原因（如等待配件）"),
        gettext_lazy("暂停"),
        False,
        False,
    ),
    "resume": (gettext_lazy("恢复办理"), "reason", gettext_lazy("说明"), gettext_lazy("恢复"), False, False),
    "reply": (
        gettext_lazy("公开答复"),
        "text",
        gettext_lazy("答复内容（居民和公众可见）"),
        gettext_lazy("发布答复"),
        False,
        False,
    ),
    "note": (
        gettext_lazy("内部备注"),
        "text",
        gettext_lazy("备注内容（仅工作人员可见）"),
        gettext_lazy("保存备注"),
        False,
        False,
    ),
    "resolve": (
        gettext_lazy("办结"),
        "text",
        gettext_lazy("办理结果"),
        gettext_lazy("确认办结"),
        True,
        False,
    ),
    "escalate": (
        gettext_lazy("升级"),
        "reason",
        gettext_lazy("升级原因"),
        gettext_lazy("确认升级"),
        False,
        True,
    ),
    "redispatch": (
        gettext_lazy("改派"),
        "reason",
        gettext_lazy("改派原因"),
        gettext_lazy("确认改派"),
        False,
        False,
    ),
    "close": (
        gettext_lazy("关闭"),
        "reason",
        gettext_lazy("关闭原因"),
        gettext_lazy("确认关闭"),
        False,
        True,
    ),
    "merge": (
        gettext_lazy("合并为重复诉求"),
        "reason",
        gettext_lazy("说明（可选）"),
        gettext_lazy("确认合并"),
        False,
        True,
    ),
}
STAFF_ACTIONS = (
    "accept",
    "dispatch",
    "redispatch",
    "return",
    "transfer",
    "pause",
    "resume",
    "reply",
    "note",
    "resolve",
    "escalate",
    "close",
    "merge",
)
RESIDENT_ACTIONS = {"feedback", "reopen", "reply"}
DONE_MESSAGES = {
    "accept": gettext_lazy("已签收，请尽快处理。"),
    "reply": gettext_lazy("已发布。"),
    "note": gettext_lazy("已保存备注。"),
    "pause": gettext_lazy("已暂停计时。"),
    "resume": gettext_lazy("已恢复办理。"),
    "resolve": gettext_lazy("已办结，等待居民评价。"),
    "return": gettext_lazy("已退回派单单位。"),
    "transfer": gettext_lazy("已转办。"),
    "dispatch": gettext_lazy("已派单。"),
    "redispatch": gettext_lazy("已改派。"),
    "escalate": gettext_lazy("已升级。"),
    "close": gettext_lazy("已关闭。"),
    "merge": gettext_lazy("已合并。"),
    "feedback": gettext_lazy("感谢您的评价！"),
    "reopen": gettext_lazy("已重新提交办理。"),
}


def _detail_context(request: HttpRequest, appeal: Appeal, *, hx: bool, next_url: str) -> dict:
    user = request.user
    now = clock.now()
    _decorate([appeal], user=user, now=now)
    masked = appeal.masked  # type: ignore[attr-defined]
    events = list(selectors.appeal_timeline(appeal=appeal, user=user))
    for e in events:
        e.actor_label = selectors.actor_label(event=e, masked=masked)  # type: ignore[attr-defined]
        e.display_text = selectors.display_text(e.text, masked=masked)  # type: ignore[attr-defined]
    visible_event_ids = {e.pk for e in events}
    photos = [p for p in appeal.photos.all() if p.event_id is None or p.event_id in visible_event_ids]
    is_reporter = appeal.reporter_id == user.pk
    allowed = set(services.allowed_actions(appeal=appeal, actor=user))
    staff = selectors.viewer_for(user=user).is_staff_for(appeal)
    roles = user_roles(user=user)
    observer = not roles.party_ids and bool(roles.observed_party_ids)
    # Staff (also when they filed it themselves from a patrol) get the staff panel; the reporter the resident's.
    staff_actions = [name for name in STAFF_ACTIONS if name in allowed] if staff else []
    resident_actions: list[str] = []
    if is_reporter and not staff:
        resident_actions = [name for name in ("reply", "reopen") if name in allowed]
        if (appeal.status == Status.CLOSED and not appeal.rated_at) or (
            "rate" in allowed and not appeal.rated_at
        ):
            # Before rating, "没解决" in the feedback form is the way to reopen.
            resident_actions = [n for n in resident_actions if n != "reopen"]
    elif not staff and appeal.is_public and appeal.status != Status.MERGED:
        following = appeal.followers.filter(pk=user.pk).exists()
        resident_actions.append("unfollow" if following else "follow")
    transfer_choices: list[tuple[int, str]] = []
    if {"transfer", "dispatch", "redispatch"} & set(staff_actions):
        transfer_choices = [(p.pk, p.name) for p in _transfer_choices(appeal)]
    specs = []
    for name in staff_actions:
        if name == "accept":
            continue
        label, field, field_label, button, files, danger = ACTION_SPECS[name]
        specs.append(
            {
                "name": name,
                "label": label,
                "field": field,
                "field_label": field_label,
                "button": button,
                "files": files,
                "danger": danger,
            }
        )
    return {
        "a": appeal,
        "events": events,
        "hx": hx,
        "next_url": next_url,
        "report_photos": [p for p in photos if p.stage == PhotoStage.REPORT],
        "progress_photos": [p for p in photos if p.stage == PhotoStage.PROGRESS],
        "resolution_photos": [p for p in photos if p.stage == PhotoStage.RESOLUTION],
        "staff_actions": staff_actions,
        "action_specs": specs,
        "observer": observer,
        "resident_actions": resident_actions,
        "transfer_choices": transfer_choices,
        "show_feedback": is_reporter and "rate" in allowed and not appeal.rated_at,
        "rating_choices": RATING_CHOICES,
    }


def _load_appeal(user: User, pk: int, *, for_action: bool = False) -> Appeal:
    appeal = selectors.access_appeal(user=user, appeal_id=pk, for_action=for_action)
    prefetch_related_objects([appeal], "photos")
    return appeal


@login_required
@_pages
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _load_appeal(request.user, pk)
    ctx = _detail_context(request, appeal, hx=False, next_url=request.path)
    if _is_htmx(request) and request.GET.get("partial"):
        # The page refreshes itself when a notification about this appeal arrives (看得见).
        return render(request, "appeals/_detail_body.html", ctx)
    if ctx["staff_actions"] or selectors.viewer_for(user=request.user).is_staff_for(appeal):
        ctx["back_url"] = reverse("appeals:workbench") + f"?selected={appeal.pk}"
    elif appeal.reporter_id == request.user.pk or not appeal.is_public:
        ctx["back_url"] = reverse("appeals:mine")
    else:
        ctx["back_url"] = reverse("appeals:public")
    return render(request, "appeals/detail.html", ctx)


@login_required
@_pages
def photo(request: HttpRequest, pk: int, photo_id: int, size: str) -> HttpResponse:
    """A photo through the permission check: only people who may see the appeal (and the event) see it."""
    appeal = selectors.access_appeal(user=request.user, appeal_id=pk)
    item = AppealPhoto.objects.filter(pk=photo_id, appeal=appeal).select_related("event").first()
    if item is None:
        raise Http404
    if item.event is not None and not item.event.is_public:
        visible = {e.pk for e in selectors.appeal_timeline(appeal=appeal, user=request.user)}
        if item.event_id not in visible:
            raise Http404
    field = item.thumbnail if size == "thumb" and item.thumbnail else item.image
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _transfer_choices(appeal: Appeal) -> list[Party]:
    """Parties an appeal may go to: those serving its place, and the property company under contract."""
    parties = {p.pk: p for p in parties_serving(place=appeal.place).order_by("kind", "name")}
    company = property_company_for(place=appeal.place)
    if company is not None:
        parties.setdefault(company.pk, company)
    return [p for p in parties.values() if p.pk != appeal.responsible_party_id]


def _action_data(request: HttpRequest, action: str, appeal: Appeal) -> dict:
    """Parse one action's form into keyword arguments for appeal_transition (which checks them again)."""
    post = request.POST
    data: dict = {}
    reason = (post.get("reason") or "").strip()
    if reason:
        data["reason"] = reason
    text = (post.get("text") or "").strip()
    if text:
        data["text"] = text
    if action in ("transfer", "dispatch", "redispatch"):
        value = post.get("to_party") or ""
        party = next((p for p in _transfer_choices(appeal) if str(p.pk) == value), None)
        if party is None:
            raise forms.ValidationError(_("请选择要转给的单位。"))
        data["to_party"] = party
    if action == "merge":
        into = (post.get("into") or "").strip()
        target = (
            selectors.appeals_visible_to(user=request.user, scope="all")
            .filter(Q(number=into) | Q(pk=int(into) if into.isdigit() and len(into) < 12 else 0))
            .first()
        )
        if target is None:
            raise forms.ValidationError(_("没有找到这个编号的诉求。"))
        data["into"] = target
    if action == "resolve":
        files = request.FILES.getlist("photos")
        if files:
            data["photos"] = files
    return data


@require_POST
@login_required
@_pages
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Every action on an appeal posts here and goes through the one transition service."""
    if action not in set(STAFF_ACTIONS) | RESIDENT_ACTIONS:
        raise Http404
    hx = _is_htmx(request)
    fallback = reverse("appeals:detail", args=[pk])
    next_url = _safe_next(request, fallback)
    appeal = selectors.access_appeal(user=request.user, appeal_id=pk, for_action=True)
    flash: list[dict] = []
    try:
        if action == "feedback":
            form = FeedbackForm(request.POST)
            if not form.is_valid():
                raise forms.ValidationError([e for errs in form.errors.values() for e in errs])
            _feedback(appeal=appeal, user=request.user, **form.cleaned_data)
        else:
            data = _action_data(request, action, appeal)
            services.appeal_transition(appeal=appeal, actor=request.user, action=action, **data)
        flash.append({"level": "success", "text": str(DONE_MESSAGES.get(action, _("已完成。")))})
    except forms.ValidationError as exc:
        flash.append({"level": "error", "text": "；".join(exc.messages)})
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        flash.append({"level": "error", "text": _message_of(exc)})
    if hx:
        fresh = _load_appeal(request.user, pk)
        ctx = _detail_context(request, fresh, hx=True, next_url=next_url)
        ctx["flash"] = flash
        response = render(request, "appeals/_detail_body.html", ctx)
        response["HX-Trigger"] = "queue-changed"
        return response
    for item in flash:
        (messages.success if item["level"] == "success" else messages.error)(request, item["text"])
    return HttpResponseRedirect(next_url)


def _feedback(*, appeal: Appeal, user: User, solved: bool, rating: str, text: str) -> None:
    """The resident's answer (回访): solved → confirm and rate; not solved → rate, which reopens it."""
    with transaction.atomic():
        if solved and appeal.status == Status.RESOLVED:
            appeal = services.appeal_transition(appeal=appeal, actor=user, action="confirm")
        services.appeal_transition(
            appeal=appeal, actor=user, action="rate", rating=rating, solved=solved, text=text
        )


@require_POST
@login_required
@_pages
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.access_appeal(user=request.user, appeal_id=pk)
    on = request.POST.get("follow") == "1"
    services.appeal_follow(appeal=appeal, user=request.user, follow=on)
    messages.success(request, _("已关注，有进展会通知您。") if on else _("已取消关注。"))
    return HttpResponseRedirect(_safe_next(request, reverse("appeals:detail", args=[pk])))


# ---------------------------------------------------------------- staff workbench


def _staff_scope(user: User) -> tuple[list[Party], bool]:
    roles = user_roles(user=user)
    parties = [m.party for m in roles.memberships]
    unique = list({p.pk: p for p in parties}.values())
    return unique, bool(roles.party_ids)


def _compound_ids(parties: list[Party]) -> list[int]:
    return [c.pk for c in compounds_served_by(parties=parties)]


def _queue(request: HttpRequest, parties: list[Party]):
    categories = selectors.categories(active_only=True)
    compounds = compounds_served_by(parties=parties)
    form = QueueFilterForm(request.GET or None, categories=categories, compounds=compounds)
    qs = selectors.appeals_visible_to(user=request.user, scope="assigned")
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    status = data.get("status", "")
    if status == "all":
        pass
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=list(OPEN_STATUSES))
    if data.get("category"):
        cat = next((c for c in categories if c.code == data["category"]), None)
        if cat is not None:
            qs = qs.filter(Q(category=cat) | Q(category__parent=cat))
    if data.get("compound"):
        qs = qs.filter(compound_id=int(data["compound"]))
    if data.get("urgency"):
        qs = qs.filter(urgency=data["urgency"])
    now = clock.now()
    if data.get("overdue"):
        qs = qs.filter(selectors.overdue_q(now=now))
    if data.get("q"):
        term = data["q"].strip()
        qs = qs.filter(Q(number__icontains=term) | Q(text__icontains=term))
    if status in ("", *OPEN_STATUSES):
        # Work in the order it falls due: the next limit (accept, else resolve) first, overdue on top.
        next_due = Case(
            When(status__in=list(AWAITING_ACCEPT), then=F("accept_due_at")), default=F("resolve_due_at")
        )
        qs = qs.annotate(next_due=next_due).order_by(F("next_due").asc(nulls_last=True), "-id")
    else:
        qs = qs.order_by("-created_at", "-id")
    qs = qs.select_related(*LIST_RELATED)
    page = _page(request, qs, QUEUE_PAGE_SIZE)
    _decorate(list(page.object_list), user=request.user, now=now)
    return form, page


def _queue_context(request: HttpRequest, parties: list[Party], can_act: bool) -> dict:
    form, page = _queue(request, parties)
    selected = request.GET.get("selected", "")
    return {
        "filter_form": form,
        "page": page,
        "can_act": can_act,
        "parties": parties,
        "qs": _qs_without_page(request, ("page", "selected", "pane")),
        "qs_with_page": _qs_without_page(request, ("selected", "pane")),
        "queue_url": reverse("appeals:workbench_queue"),
        "selected_id": int(selected) if selected.isdigit() else None,
    }


def _require_staff(user: User) -> tuple[list[Party], bool]:
    parties, can_act = _staff_scope(user)
    if not parties:
        raise PermissionDenied(_("工作台只对社区工作人员开放。"))
    return parties, can_act


@login_required
@_pages
def workbench(request: HttpRequest) -> HttpResponse:
    """The staff workbench: my parties' queue, filters, the selected appeal with every action."""
    parties, can_act = _require_staff(request.user)
    selected_raw = request.GET.get("selected", "")
    selected = None
    if selected_raw.isdigit():
        selected = _load_appeal(request.user, int(selected_raw))
    back = reverse("appeals:workbench") + "?" + _qs_without_page(request, ("pane",))
    if _is_htmx(request) and request.GET.get("pane") and selected is not None:
        ctx = _detail_context(request, selected, hx=True, next_url=back)
        return render(request, "appeals/_detail_body.html", ctx)
    ctx = _queue_context(request, parties, can_act)
    ctx["filters_active"] = any(
        request.GET.get(k) for k in ("status", "category", "compound", "urgency", "overdue", "q")
    )
    if selected is not None:
        ctx.update(_detail_context(request, selected, hx=True, next_url=back))
        ctx["selected"] = ctx.pop("a")
    return render(request, "appeals/workbench.html", ctx)


@login_required
@_pages
def workbench_queue(request: HttpRequest) -> HttpResponse:
    """Just the queue (#workbench-queue): htmx reloads it after an action or a live notification."""
    parties, can_act = _require_staff(request.user)
    return render(request, "appeals/_queue.html", _queue_context(request, parties, can_act))


@require_POST
@login_required
@_pages
def bulk_accept(request: HttpRequest) -> HttpResponse:
    _parties, can_act = _require_staff(request.user)
    if not can_act:
        raise PermissionDenied(_("观察员不能办理。"))
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()][:100]
    done, failed = 0, []
    for appeal_id in ids:
        try:
            appeal = selectors.access_appeal(user=request.user, appeal_id=appeal_id, for_action=True)
            services.appeal_transition(appeal=appeal, actor=request.user, action="accept")
            done += 1
        except DomainError as exc:
            failed.append(f"#{appeal_id} {_message_of(exc)}")
    if done:
        messages.success(request, _("已签收 %(n)d 件。") % {"n": done})
    if failed:
        messages.error(request, _("以下工单未能签收：%(list)s") % {"list": "；".join(failed)})
    if not ids:
        messages.error(request, _("请先勾选工单。"))
    return HttpResponseRedirect(_safe_next(request, reverse("appeals:workbench")))


# ---------------------------------------------------------------- filing for a resident or from a patrol


def _grouped_categories(categories: list[Category]) -> list:
    """Choices grouped by the top-level category (a top-level one with children is a choice too)."""
    children: dict[int, list[Category]] = {}
    for c in categories:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    out: list = []
    for c in categories:
        if c.parent_id:
            continue
        kids = children.get(c.pk)
        if kids:
            out.append(
                (
                    c.name,
                    [(c.code, _("%(name)s（其他）") % {"name": c.name})] + [(k.code, k.name) for k in kids],
                )
            )
        else:
            out.append((c.code, c.name))
    return out


def _file_places(parties: list[Party]) -> tuple[list[tuple[str, str, Place, Spot | None]], dict[str, str]]:
    """Choices of place for staff filing: each compound they serve, its buildings and its spots, and the
    compound each choice belongs to (for grouping)."""
    options: list[tuple[str, str, Place, Spot | None]] = []
    groups: dict[str, str] = {}
    for area in places_for_filing(parties=parties):
        c = area.compound
        rows: list[tuple[str, str, Place, Spot | None]] = [
            (f"p{c.pk}", _("%(c)s 公共区域") % {"c": c.name}, c, None)
        ]
        rows += [(f"p{b.pk}", f"{c.name} {b.name}", b, None) for b in area.buildings]
        rows += [
            (
                f"s{sp.pk}",
                " ".join(n for n in (c.name, sp.place.name if sp.place_id != c.pk else "", sp.name) if n),
                sp.place,
                sp,
            )
            for sp in area.spots
        ]
        for row in rows:
            groups[row[0]] = c.name
        options += rows
    return options, groups


def _residents_in_area(parties: list[Party], term: str) -> list[Residency]:
    return residents_search(compound_ids=_compound_ids(parties), term=term)


def _households_in_area(parties: list[Party], term: str) -> list[Place]:
    return households_search(compound_ids=_compound_ids(parties), term=term)


def _household_in_area(parties: list[Party], value: str) -> Place | None:
    if not (value or "").isdigit():
        return None
    return household_in(compound_ids=_compound_ids(parties), household_id=int(value))


def _resident_lookup(parties: list[Party], phone: str) -> tuple[User | None, Place | None]:
    """The resident with exactly this phone living in the staff's area, and their household."""
    if not phone or not phone.isdigit():
        return None, None
    for residency in _residents_in_area(parties, phone):
        if residency.user.phone == phone:
            return residency.user, residency.household
    return None, None


@login_required
@_pages
def file_for_resident(request: HttpRequest) -> HttpResponse:
    """Staff file an appeal on behalf of a resident (walk-in, phone) or from a patrol (未诉先办)."""
    parties, can_act = _require_staff(request.user)
    if not can_act:
        raise PermissionDenied(_("观察员不能代为反映。"))
    categories = selectors.categories(active_only=True)
    places, groups = _file_places(parties)
    category_choices = _grouped_categories(categories)
    place_choices: list = [("household", _("居民家中（查找到的房屋）"))]
    by_compound: dict[str, list[tuple[str, str]]] = {}
    for key, label, _place, _spot in places:
        by_compound.setdefault(groups[key], []).append((key, label))
    place_choices += list(by_compound.items())
    term = (request.GET.get("q") or request.GET.get("phone") or "").strip()[:20]
    matches = _residents_in_area(parties, term) if term else []
    homes = (
        _households_in_area(parties, term) if term and not (term.isdigit() and term.startswith("1")) else []
    )
    phone = term if term.isdigit() and len(term) == 11 else ""
    if not phone and len(matches) == 1 and not homes:
        phone = matches[0].user.phone
    resident, household = _resident_lookup(parties, phone)
    picked = _household_in_area(parties, request.GET.get("household", ""))
    if picked is not None and resident is None:
        household = picked
    lookup = {
        "term": term,
        "phone": phone,
        "user": resident,
        "household": household,
        "searched": bool(term) or picked is not None,
        "matches": [] if resident else matches,
        "homes": [] if (resident or picked) else homes,
    }
    if request.method == "POST":
        form = StaffFileForm(
            request.POST, request.FILES, category_choices=category_choices, place_choices=place_choices
        )
        if form.is_valid():
            try:
                appeal_id = _file_submit(request, form.cleaned_data, categories, places, parties)
            except DomainError as exc:
                form.add_error(None, _message_of(exc))
            else:
                messages.success(request, _("已代为提交。"))
                return HttpResponseRedirect(reverse("appeals:workbench") + f"?selected={appeal_id}")
    else:
        initial = {
            "token": new_form_token(),
            "source": request.GET.get("source", "staff"),
            "resident_phone": phone,
            "resident_name": resident.real_name if resident else "",
            "place": "household" if household else "",
            "household": household.pk if household else None,
        }
        form = StaffFileForm(initial=initial, category_choices=category_choices, place_choices=place_choices)
    return render(
        request,
        "appeals/file.html",
        {"form": form, "lookup": lookup},
        status=422 if request.method == "POST" else 200,
    )


def _file_submit(request: HttpRequest, data: dict, categories, places, parties) -> int:
    category = next(c for c in categories if c.code == data["category"])
    source = data["source"]
    reporter: User = request.user
    resident, household = _resident_lookup(parties, data.get("resident_phone", ""))
    if household is None and data.get("household"):
        # A household picked by number for a caller who has no account yet.
        household = _household_in_area(parties, str(data["household"]))
    if source == "staff" and resident is not None:
        reporter = resident
    if data["place"] == "household":
        if household is None:
            raise _invalid_place()
        place, spot = household, None
    else:
        resolved = _resolve_place(places, data["place"])
        if resolved is None:
            raise _invalid_place()
        place, spot, _label = resolved
    text = data["text"]

    def create() -> int:
        appeal = services.appeal_create(
            reporter=reporter,
            kind=data["kind"],
            category=category,
            place=place,
            spot=spot,
            text=text,
            urgency=data["urgency"],
            source=source,
            filed_by=request.user,
            is_public=not data["private"],
            photos=data["photos"],
        )
        if (
            source == "staff"
            and resident is None
            and (data.get("resident_name") or data.get("resident_phone"))
        ):
            # The caller has no account yet: keep their contact on an internal note for the handler.
            services.appeal_event_add(
                appeal=appeal,
                actor=request.user,
                kind="note",
                is_public=False,
                text=_("来访/来电居民：%(name)s %(phone)s")
                % {"name": data.get("resident_name", ""), "phone": data.get("resident_phone", "")},
            )
        return appeal.pk

    return _once(request, token=data["token"], work=create)


def _invalid_place() -> Invalid:
    return Invalid(
        "请选择地点；按手机号没有找到居民的房屋。",
        "Choose a place; no household was found for that phone.",
        code="place_required",
        fields={"place": "required"},
    )
