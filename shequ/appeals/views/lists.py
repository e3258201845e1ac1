"""My appeals and the public list of my community."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.accounts.http import AuthedRequest
from shequ.accounts.selectors import primary_household
from shequ.appeals import presenter, selectors
from shequ.appeals.models import (
    OPEN_STATUSES,
    Status,
)
from shequ.core import clock
from shequ.core.pagination import page_of, qs_without_page
from shequ.core.views import domain_errors
from shequ.directory.models import Place, PlaceKind
from shequ.directory.selectors import (
    places_under,
)

MINE_FILTERS = {
    "open": (gettext_lazy("办理中"), list(OPEN_STATUSES)),
    "rate": (gettext_lazy("待评价"), [Status.RESOLVED]),
    "done": (gettext_lazy("已结束"), [Status.CLOSED, Status.MERGED]),
}

# ---------------------------------------------------------------- lists


@login_required
@domain_errors
def mine(request: AuthedRequest) -> HttpResponse:
    qs = selectors.with_list_rows(selectors.appeals_visible_to(user=request.user, scope="mine"))
    show = request.GET.get("show", "")
    if show in MINE_FILTERS:
        qs = qs.filter(status__in=MINE_FILTERS[show][1])
    page = page_of(request, qs.order_by("-created_at", "-id"))
    page.object_list = presenter.present_all(list(page.object_list), user=request.user, now=clock.now())
    tabs = [{"key": "", "label": _("全部"), "current": show not in MINE_FILTERS}] + [
        {"key": key, "label": label, "current": show == key}
        for key, (label, _statuses) in MINE_FILTERS.items()
    ]
    return render(request, "appeals/mine.html", {"page": page, "qs": qs_without_page(request), "tabs": tabs})


@login_required
@domain_errors
def public(request: AuthedRequest) -> HttpResponse:
    """Public appeals of my community, by compound; personal data masked for everyone."""
    qs = selectors.with_list_rows(selectors.appeals_visible_to(user=request.user, scope="public"))
    household = primary_household(user=request.user)
    compounds: list[Place] = []
    if household is not None and household.community is not None:
        compounds = list(places_under(place=household.community, kind=PlaceKind.COMPOUND))
    current = request.GET.get("compound", "")
    current_id = int(current) if current.isdigit() else None
    if current_id:
        qs = qs.filter(compound_id=current_id)
    page = page_of(request, qs)
    page.object_list = presenter.present_all(
        list(page.object_list), user=request.user, now=clock.now(), force_masked=True
    )
    return render(
        request,
        "appeals/public.html",
        {
            "page": page,
            "qs": qs_without_page(request),
            "compounds": compounds,
            "current_compound": current_id,
        },
    )
