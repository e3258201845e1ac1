"""The "my appeals" block of the resident home page (portal's SHEQU_HOME_SECTIONS hook)."""

from __future__ import annotations

from shequ.appeals import presenter, selectors
from shequ.core import clock

HOME_LIMIT = 3


def section(request, household) -> dict | None:
    if not request.user.is_authenticated:
        return None
    appeals = list(
        selectors.appeals_visible_to(user=request.user, scope="mine")
        .select_related(*selectors.LIST_RELATED)
        .order_by("-created_at", "-id")[:HOME_LIMIT]
    )
    shown = presenter.present_all(appeals, user=request.user, now=clock.now())
    return {"template": "appeals/_home_section.html", "appeals": shown}
