"""Staff file an appeal for a resident (walk-in, phone) or from a patrol (未诉先办)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from shequ.accounts.http import AuthedRequest
from shequ.accounts.models import Residency
from shequ.accounts.selectors import residents_search
from shequ.appeals import filing, selectors
from shequ.appeals.access import StaffScope
from shequ.appeals.forms import (
    StaffFileForm,
    new_form_token,
)
from shequ.appeals.models import (
    Category,
)
from shequ.appeals.views.common import once, require_staff, resolve_place
from shequ.core.errors import DomainError, Invalid
from shequ.core.views import domain_errors, error_text
from shequ.directory.models import Place, Spot
from shequ.directory.selectors import households_search, places_for_filing

# ---------------------------------------------------------------- filing for a resident or from a patrol


def _grouped_categories(categories: list[Category]) -> list:
    """Choices grouped by the top-level category (a top-level one with children is a choice too)."""
    out: list = []
    for group in selectors.category_tree(categories):
        c = group.category
        if group.children:
            label = _("%(name)s（其他）") % {"name": c.name}
            out.append((c.name, [(c.code, label)] + [(k.code, k.name) for k in group.children]))
        else:
            out.append((c.code, c.name))
    return out


def _file_places(scope: StaffScope) -> tuple[list[tuple[str, str, Place, Spot | None]], dict[str, str]]:
    """Choices of place for staff filing: each compound of their scope, its buildings and its spots
    (a volunteer: only those inside their own places), and the compound each choice belongs to."""
    options: list[tuple[str, str, Place, Spot | None]] = []
    groups: dict[str, str] = {}
    for area in places_for_filing(compound_ids=scope.compound_ids()):
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
        rows = [row for row in rows if scope.covers(row[2])]
        for row in rows:
            groups[row[0]] = c.name
        options += rows
    return options, groups


def _residents_in_area(scope: StaffScope, term: str) -> list[Residency]:
    return residents_search(
        compound_ids=scope.compound_ids(), term=term, within=scope.within_q("household__")
    )


def _households_in_area(scope: StaffScope, term: str) -> list[Place]:
    return households_search(compound_ids=scope.compound_ids(), term=term, within=scope.within_q(""))


def _caller(request: AuthedRequest, scope: StaffScope, phone: str, household: str = "", name: str = ""):
    """Whom the staff member files for — the one rule (`filing.caller_for`, on the same scope), here
    limited to the compounds the page offers."""
    if not phone and not str(household).isdigit():
        return filing.Caller(name=name)
    return filing.caller_for(
        staff=request.user,
        phone=phone,
        name=name,
        household_id=int(household) if str(household).isdigit() else None,
        compound_ids=scope.compound_ids(),
    )


@login_required
@domain_errors
def file_for_resident(request: AuthedRequest) -> HttpResponse:
    """Staff file an appeal on behalf of a resident (walk-in, phone) or from a patrol (未诉先办)."""
    scope = require_staff(request.user)
    if not scope.may_file:
        raise PermissionDenied(_("你的角色不能代居民反映。"))
    categories = selectors.categories(active_only=True)
    places, groups = _file_places(scope)
    category_choices = _grouped_categories(categories)
    place_choices: list = [("household", _("居民家中（查找到的房屋）"))]
    by_compound: dict[str, list[tuple[str, str]]] = {}
    for key, label, _place, _spot in places:
        by_compound.setdefault(groups[key], []).append((key, label))
    place_choices += list(by_compound.items())
    term = (request.GET.get("q") or request.GET.get("phone") or "").strip()[:20]
    matches = _residents_in_area(scope, term) if term else []
    homes = _households_in_area(scope, term) if term and not (term.isdigit() and term.startswith("1")) else []
    phone = term if term.isdigit() and len(term) == 11 else ""
    if not phone and len(matches) == 1 and not homes:
        phone = matches[0].user.phone
    found = _caller(request, scope, phone, request.GET.get("household", ""))
    resident, household = found.user, found.household
    picked = household if resident is None else None
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
                appeal_id = _file_submit(request, form.cleaned_data, categories, places, scope)
            except DomainError as exc:
                form.add_error(None, error_text(exc))
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


def _file_submit(request: AuthedRequest, data: dict, categories, places, scope: StaffScope) -> int:
    category = next(c for c in categories if c.code == data["category"])
    caller = _caller(
        request,
        scope,
        data.get("resident_phone", ""),
        str(data.get("household") or ""),
        data.get("resident_name", ""),
    )
    place, spot = None, None
    if data["place"] != "household":
        resolved = resolve_place(places, data["place"])
        if resolved is None:
            raise _invalid_place()
        place, spot, _label = resolved
    elif caller.household is None:
        raise _invalid_place()

    def create() -> int:
        return filing.appeal_file_for(
            staff=request.user,
            caller=caller,
            kind=data["kind"],
            category=category,
            place=place,
            spot=spot,
            text=data["text"],
            urgency=data["urgency"],
            source=data["source"],
            is_public=not data["private"],
            photos=data["photos"],
        ).pk

    return once(request, token=data["token"], work=create)


def _invalid_place() -> Invalid:
    return Invalid(
        "请选择地点；按手机号没有找到居民的房屋。",
        "Choose a place; no household was found for that phone.",
        code="place_required",
        fields={"place": "required"},
    )
