"""An appeal's page: the timeline, photos and every action, posted to one view that calls the
transition service."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shequ.accounts.http import AuthedRequest
from shequ.accounts.models import User
from shequ.accounts.selectors import user_roles
from shequ.appeals import access, extensions, presenter, selectors, services
from shequ.appeals import photos as photo_files
from shequ.appeals.forms import (
    RATING_CHOICES,
    FeedbackForm,
)
from shequ.appeals.models import (
    Appeal,
    PhotoStage,
    Status,
)
from shequ.appeals.views.common import is_htmx, safe_next
from shequ.core import clock
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.views import domain_errors, error_text
from shequ.directory.models import Party
from shequ.directory.selectors import (
    parties_serving,
    property_company_for,
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


def detail_context(request: AuthedRequest, appeal: Appeal, *, hx: bool, next_url: str) -> dict:
    user = request.user
    shown = presenter.present_detail(appeal, user=user, now=clock.now())
    photos = shown.visible_photos
    is_reporter = appeal.reporter_id == user.pk
    allowed = set(shown.actions)
    # A station volunteer working the station's appeal gets the staff panel (masked, fewer actions).
    staff = access.viewer_for(user=user).is_staff_for(appeal) or (
        "helper" in access.actor_capacity(appeal=appeal, actor=user).capacities
    )
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
        resident_actions.append("unfollow" if shown.is_following else "follow")
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
        "a": shown,
        "events": shown.events,
        "blocks": extensions.appeal_blocks(appeal),
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
        # closed as unrated after the time limit: the rating window is over, no form any more
        "show_feedback": is_reporter
        and "rate" in allowed
        and not appeal.rated_at
        and not appeal.closed_unrated,
        "rating_choices": RATING_CHOICES,
    }


def load_appeal(user: User, pk: int, *, for_action: bool = False) -> Appeal:
    appeal = selectors.access_appeal(user=user, appeal_id=pk, for_action=for_action)
    prefetch_related_objects([appeal], "photos")
    return appeal


@login_required
@domain_errors
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    appeal = load_appeal(request.user, pk)
    ctx = detail_context(request, appeal, hx=False, next_url=request.path)
    if is_htmx(request) and request.GET.get("partial"):
        # The page refreshes itself when a notification about this appeal arrives (看得见).
        return render(request, "appeals/_detail_body.html", ctx)
    if ctx["staff_actions"] or access.viewer_for(user=request.user).is_staff_for(appeal):
        ctx["back_url"] = reverse("appeals:workbench") + f"?selected={appeal.pk}"
    elif appeal.reporter_id == request.user.pk or not appeal.is_public:
        ctx["back_url"] = reverse("appeals:mine")
    else:
        ctx["back_url"] = reverse("appeals:public")
    return render(request, "appeals/detail.html", ctx)


@login_required
@domain_errors
def photo(request: AuthedRequest, pk: int, photo_id: int, size: str) -> FileResponse:
    """A photo through the permission check: only people who may see the appeal (and the event) see it."""
    item = selectors.access_photo(user=request.user, appeal_id=pk, photo_id=photo_id)
    return photo_files.serve(item, thumb=size == "thumb")


def _transfer_choices(appeal: Appeal) -> list[Party]:
    """Parties an appeal may go to: those serving its place, and the property company under contract."""
    parties = {p.pk: p for p in parties_serving(place=appeal.place).order_by("kind", "name")}
    company = property_company_for(place=appeal.place)
    if company is not None:
        parties.setdefault(company.pk, company)
    return [p for p in parties.values() if p.pk != appeal.responsible_party_id]


def _action_data(request: AuthedRequest, action: str, appeal: Appeal) -> dict:
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
@domain_errors
def act(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """Every action on an appeal posts here and goes through the one transition service."""
    if action not in set(STAFF_ACTIONS) | RESIDENT_ACTIONS:
        raise Http404
    hx = is_htmx(request)
    fallback = reverse("appeals:detail", args=[pk])
    next_url = safe_next(request, fallback)
    appeal = selectors.access_appeal(user=request.user, appeal_id=pk, for_action=True)
    flash: list[dict] = []
    try:
        if action == "feedback":
            form = FeedbackForm(request.POST)
            if not form.is_valid():
                raise forms.ValidationError([e for errs in form.errors.values() for e in errs])
            services.appeal_feedback(appeal=appeal, user=request.user, **form.cleaned_data)
        else:
            data = _action_data(request, action, appeal)
            services.appeal_transition(appeal=appeal, actor=request.user, action=action, **data)
        flash.append({"level": "success", "text": str(DONE_MESSAGES.get(action, _("已完成。")))})
    except forms.ValidationError as exc:
        flash.append({"level": "error", "text": "；".join(exc.messages)})
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        flash.append({"level": "error", "text": error_text(exc)})
    if hx:
        fresh = load_appeal(request.user, pk)
        ctx = detail_context(request, fresh, hx=True, next_url=next_url)
        ctx["flash"] = flash
        response = render(request, "appeals/_detail_body.html", ctx)
        response["HX-Trigger"] = "queue-changed"
        return response
    for item in flash:
        (messages.success if item["level"] == "success" else messages.error)(request, item["text"])
    return HttpResponseRedirect(next_url)


@require_POST
@login_required
@domain_errors
def follow(request: AuthedRequest, pk: int) -> HttpResponse:
    appeal = selectors.access_appeal(user=request.user, appeal_id=pk)
    on = request.POST.get("follow") == "1"
    services.appeal_follow(appeal=appeal, user=request.user, follow=on)
    messages.success(request, _("已关注，有进展会通知您。") if on else _("已取消关注。"))
    return HttpResponseRedirect(safe_next(request, reverse("appeals:detail", args=[pk])))
