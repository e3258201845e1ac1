"""The "my elections" block of the resident home page (portal's SHEQU_HOME_SECTIONS hook)."""

from __future__ import annotations

from shequ.elections import selectors


def section(request, household) -> dict | None:
    items = selectors.open_for_user(user=request.user)
    if not items:
        return None
    return {"template": "elections/_home_section.html", "items": items}
