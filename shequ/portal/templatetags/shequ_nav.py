"""`{% bottom_bar %}`: the bottom tab bar of every page (base.html), staff or resident, current tab marked;
`{% top_tabs %}`: the staff's 工作台 and main-task tabs again in the header, for the desktop, where the
bottom bar is hidden."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from shequ.portal.start import VIEW_STAFF, Start, Tab, home_view, start_for, tabs_for

register = template.Library()


def _tabs(request) -> tuple[Start, list[Tab], bool]:
    """The start, tabs and view of this request, computed once for the header and the bottom bar."""
    cached = getattr(request, "_shequ_tabs", None)
    if cached is None:
        start = start_for(user=request.user)
        cached = (start, tabs_for(request, start), home_view(request, start) == VIEW_STAFF)
        request._shequ_tabs = cached
    return cached


@register.inclusion_tag("portal/_tabbar.html", takes_context=True)
def bottom_bar(context: template.Context) -> dict:
    _start, tabs, staff_view = _tabs(context["request"])
    return {"tabs": tabs, "staff_view": staff_view}


@register.inclusion_tag("portal/_toptabs.html", takes_context=True)
def top_tabs(context: template.Context) -> dict:
    """Staff (observers too) see 工作台 and their desk's task (排名 / 报到 / 升级 / 派单) in the header, the
    current one marked; in the resident home, whoever works in a queue (staff who switched, building
    leaders, grid workers) keeps 工作台."""
    request = context["request"]
    start, tabs, staff_view = _tabs(request)
    if staff_view:
        return {"tabs": [t for t in tabs if t.key in ("workbench", "desk")]}
    if start.desks or start.roles.party_ids:
        url = reverse("appeals:workbench")
        return {
            "tabs": [Tab("workbench", _("工作台"), "tools", url, primary=True, current=request.path == url)]
        }
    return {"tabs": []}
