"""`{% bottom_bar %}`: the bottom tab bar of every page (base.html), staff or resident, current tab marked."""

from __future__ import annotations

from django import template

from shequ.portal.start import VIEW_STAFF, home_view, start_for, tabs_for

register = template.Library()


@register.inclusion_tag("portal/_tabbar.html", takes_context=True)
def bottom_bar(context: template.Context) -> dict:
    request = context["request"]
    start = start_for(user=request.user)
    return {"tabs": tabs_for(request, start), "staff_view": home_view(request, start) == VIEW_STAFF}
