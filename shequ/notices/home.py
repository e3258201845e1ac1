"""The notices block of the resident home page (portal's SHEQU_HOME_SECTIONS hook)."""

from __future__ import annotations

from shequ.notices.selectors import home_notices


def section(request, household) -> dict | None:
    """`SHEQU_HOME_SECTIONS = ["shequ.notices.home.section", …]` puts the newest notices on the home page."""
    if not request.user.is_authenticated:
        return None
    return {"template": "notices/_home_section.html", "notices": home_notices(user=request.user, limit=5)}
