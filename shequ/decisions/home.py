"""The "my votes" block of the resident home page (portal's SHEQU_HOME_SECTIONS hook)."""

from __future__ import annotations

from shequ.decisions import selectors


def section(request, household) -> dict | None:
    """Open owners' decisions the user is on the roll for (shown only when there is one)."""
    items = selectors.open_for_user(user=request.user)
    if not items:
        return None
    return {"template": "decisions/_home_section.html", "items": items}
