"""Report a problem in at most three steps: category → place and urgency → describe and submit."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.accounts.http import AuthedRequest
from shequ.appeals import filing, presenter, selectors, services
from shequ.appeals.forms import (
    URGENCY_CHOICES,
    DescribeForm,
    PlaceStepForm,
    new_form_token,
)
from shequ.appeals.models import (
    Category,
)
from shequ.appeals.views.common import once, resolve_place
from shequ.core.errors import DomainError
from shequ.core.views import domain_errors, error_text
from shequ.directory.models import Place

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


# ---------------------------------------------------------------- report in three steps


CONSULT_EXAMPLES = {
    "health": gettext_lazy("例如：最近血压偏高，饮食上要注意什么？"),
    "safety": gettext_lazy("例如：楼道里常有陌生人推销，要不要报警？"),
    "": gettext_lazy("例如：想了解一下相关规定和办理方法。"),
}


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


def _preview(category: Category, place: Place, urgency: str) -> dict | None:
    """ "将由 XX物业 负责，30分钟内签收，24小时内办结" — shown before the resident submits: the same plan
    (`filing.filing_plan`) the filing uses, so these are exactly the deadlines the appeal will get."""
    try:
        plan = filing.filing_plan(category=category, place=place, urgency=urgency)
    except DomainError:
        return None
    return {
        "party_name": plan.route.party.name,
        "dispatched": plan.route.dispatched,
        "accept_within": presenter.duration((plan.due.accept_due_at - plan.start).total_seconds()),
        "resolve_within": presenter.duration((plan.due.resolve_due_at - plan.start).total_seconds()),
    }


@login_required
@domain_errors
def report(request: AuthedRequest) -> HttpResponse:
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


def _report_step1(request: AuthedRequest, household: Place | None) -> HttpResponse:
    categories = selectors.categories(active_only=True)
    groups = []
    singles = []
    for group in selectors.category_tree(categories):
        items = [
            {"code": k.code, "name": k.name, "icon": _category_icon(k), "url": _report_url(category=k.code)}
            for k in (group.children or [group.category])
        ]
        if group.children:
            groups.append({"title": group.category.name, "items": items})
        else:
            singles += items
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
    request: AuthedRequest,
    *,
    category: Category,
    options,
    consult: bool,
    place_value: str,
    urgency: str,
    form: DescribeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    resolved = resolve_place(options, place_value)
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
        # The example fits whom the question goes to: the family doctor or the community police.
        example = CONSULT_EXAMPLES.get(category.code, CONSULT_EXAMPLES[""])
        form.fields["text"].widget.attrs["placeholder"] = example
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


def _report_submit(request: AuthedRequest) -> HttpResponse:
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
    resolved = resolve_place(options, data["place"])
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
        appeal_id = once(request, token=data["token"], work=create)
    except DomainError as exc:
        form.add_error(None, error_text(exc))
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
