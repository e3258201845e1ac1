"""Resident pages: the home page and "who looks after my home?"."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shequ.accounts.http import AuthedRequest
from shequ.accounts.models import Residency
from shequ.accounts.selectors import (
    can_verify_anyone,
    is_committee_verifier,
    pending_residencies_for,
    primary_household,
    user_roles,
)
from shequ.analytics import rates as analytics_rates
from shequ.directory.models import PartyKind
from shequ.directory.selectors import party_serving, property_company_for
from shequ.portal import start as start_pages
from shequ.portal.selectors import who_looks_after

# The channel grid of the home page: (label, icon, URL name, query). Every page exists; a missing one is
# an error at the first render, not a silently hidden channel.
CHANNELS: list[tuple[str | Promise, str, str, str]] = [
    (_("社区公告"), "notice", "notices:feed", "?channel=community"),
    (_("党建园地"), "flag", "notices:feed", "?channel=party"),
    (_("物业之窗"), "building", "notices:property_index", ""),
    (_("业委连线"), "owners", "notices:owners_index", ""),
    (_("警民直通车"), "shield", "notices:police", ""),
    (_("家庭医生"), "doctor", "notices:doctor", ""),
    (_("邻里交流"), "chat", "forum:index", ""),
    (_("社区服务"), "heart", "activities:index", ""),
]


def channels() -> list[dict]:
    return [
        {"label": label, "icon": icon, "url": reverse(name) + query} for label, icon, name, query in CHANNELS
    ]


def home_sections(request: AuthedRequest, household) -> list[dict]:
    """Blocks other features add to the home page ("my appeals", "newest notices" …).

    settings.SHEQU_HOME_SECTIONS lists dotted paths of callables `(request, household) -> dict | None`;
    a dict needs a "template" key and is passed to that template as `section`.
    """
    return _sections("SHEQU_HOME_SECTIONS", request, household)


def _sections(setting: str, request: AuthedRequest, household) -> list[dict]:
    sections = []
    for path in getattr(settings, setting, []):
        section = import_string(path)(request, household)
        if section:
            sections.append(section)
    return sections


def who_sections(request: AuthedRequest, household) -> list[dict]:
    """Blocks other features add to 谁在管我家 (settings.SHEQU_WHO_SECTIONS, same shape as home sections)."""
    return _sections("SHEQU_WHO_SECTIONS", request, household)


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Staff land on their start page; residents (and staff who switched) on the resident home."""
    start = start_pages.start_for(user=request.user)
    if start_pages.home_view(request, start) == start_pages.VIEW_STAFF:
        return staff_start(request, start)
    return resident_home(request, start)


def staff_start(request: AuthedRequest, start: start_pages.Start) -> HttpResponse:
    return render(
        request,
        "portal/start.html",
        {
            "start": start,
            "desk_labels": [start_pages.DESK_LABELS[d] for d in start.desks],
            "blocks": start_pages.start_blocks(request, start),
            "home_view": start_pages.VIEW_STAFF,
        },
    )


@require_POST
@login_required
def switch(request: AuthedRequest) -> HttpResponse:
    """Switch the home page between the staff start page and the resident home (kept in the session)."""
    wanted = request.POST.get("view")
    if wanted in (start_pages.VIEW_STAFF, start_pages.VIEW_RESIDENT):
        request.session[start_pages.VIEW_SESSION_KEY] = wanted
    return redirect("portal:home")


def resident_home(request: AuthedRequest, start: start_pages.Start) -> HttpResponse:
    user = request.user
    roles = user_roles(user=user)
    household = primary_household(user=user)
    residency = next((r for r in roles.residencies if r.household_id == getattr(household, "pk", None)), None)
    company = rc = None
    if household is not None:
        company = property_company_for(place=household)
        rc = party_serving(place=household, kind=PartyKind.RESIDENTS_COMMITTEE)
    staff_parties = [m.party for m in roles.memberships if m.party_id in roles.party_ids]
    member_parties = [m.party for m in roles.memberships]
    can_verify = can_verify_anyone(user=user)
    pending_count = pending_residencies_for(user=user).count() if can_verify else 0
    return render(
        request,
        "portal/home.html",
        {
            "roles": roles,
            "household": household,
            "community": household.community if household is not None else None,
            "residency": residency,
            "company": company,
            "rc": rc,
            "staff_parties": list(dict.fromkeys(staff_parties)),
            "member_parties": list(dict.fromkeys(member_parties)),
            "can_verify": can_verify,
            "verifies_as_committee": can_verify and is_committee_verifier(user=user),
            "pending_count": pending_count,
            "channels": channels(),
            "home_sections": home_sections(request, household),
            "start": start,
            "home_view": start_pages.VIEW_RESIDENT,
        },
    )


@login_required
def who(request: AuthedRequest) -> HttpResponse:
    """谁在管我家: every responsible party and person for the resident's household."""
    roles = user_roles(user=request.user)
    usable = [r for r in roles.residencies if r.status != Residency.Status.REJECTED]
    residency = None
    wanted = request.GET.get("household")
    if wanted:
        residency = next((r for r in usable if str(r.household_id) == wanted), None)
        if residency is None:
            raise Http404("没有找到这户。")
    else:
        household = primary_household(user=request.user)
        residency = next(
            (r for r in usable if household is not None and r.household_id == household.pk), None
        )
    entries = who_looks_after(household=residency.household) if residency is not None else []
    return render(
        request,
        "portal/who.html",
        {
            "residency": residency,
            "household": residency.household if residency else None,
            "residencies": usable,
            "entries": entries,
            "has_rates": any(e.has_rate_data for e in entries),
            "min_rated": analytics_rates.min_rated(),
            "who_sections": who_sections(request, residency.household if residency else None),
        },
    )
