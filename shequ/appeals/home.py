"""The "my appeals" block of the resident home page (portal's SHEQU_HOME_SECTIONS hook)."""

from __future__ import annotations

from shequ.appeals import presenter, selectors
from shequ.core import clock
from shequ.core.pagination import fetch_page

HOME_LIMIT = 3


def section(request, household) -> dict | None:
    if not request.user.is_authenticated:
        return None
    # Ids first (`pagination.fetch_page`): the newest few of the mine UNION, then those rows with their
    # relations — one wide join over the union would plan and read the whole history (13 s at 1M).
    appeals = fetch_page(
        selectors.with_list_rows(selectors.appeals_visible_to(user=request.user, scope="mine")).order_by(
            "-created_at", "-id"
        ),
        0,
        HOME_LIMIT,
    )
    shown = presenter.present_all(appeals, user=request.user, now=clock.now())
    return {"template": "appeals/_home_section.html", "appeals": shown}
