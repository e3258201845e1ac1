"""Home-page blocks of the fund: "待审批" for the department's officers (portal's SHEQU_HOME_SECTIONS hook)."""

from __future__ import annotations

from shequ.funds import selectors


def section(request, household) -> dict | None:
    if not request.user.is_authenticated:
        return None
    queue = list(selectors.review_queue(user=request.user)[:5])
    if not queue:
        return None
    return {"template": "funds/_review_section.html", "queue": queue}
