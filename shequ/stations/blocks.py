"""Blocks the stations app offers to pages it does not own.

* `who_section(request, household)` — on 谁在管我家: the compound's (or building's) party branch and the
  building's party members willing to help (template `stations/_who_block.html`).
* `home_section(request, household)` — 邻里互助 on the home page: stations, micro-projects, courses, and a
  volunteer's shortcut to their station's queue and hours.
"""

from __future__ import annotations

from django.http import HttpRequest

from shequ.accounts.selectors import user_roles
from shequ.core.masking import mask_name
from shequ.directory.models import PartyKind, Role
from shequ.stations import selectors


def who_section(request: HttpRequest, household) -> dict | None:
    if household is None:
        return None
    branch = selectors.branch_of(place=household)
    if branch is None:  # a building's party members belong to its own or its compound's branch
        return None
    members = selectors.helping_party_members(building_id=household.building_id)
    return {
        "template": "stations/_who_block.html",
        "branch": branch,
        "members": [{"name": mask_name(m.user.real_name), "phone": m.user.phone} for m in members],
    }


def home_section(request: HttpRequest, household) -> dict | None:
    """邻里互助: links to the stations, micro-projects and courses; a volunteer's queue and hours."""
    if not request.user.is_authenticated:
        return None
    # From the memberships already loaded for the request (joining makes a volunteer membership): no query.
    stations = [
        m.party
        for m in user_roles(user=request.user).memberships
        if m.role == Role.VOLUNTEER and m.party.kind == PartyKind.MUTUAL_AID_STATION
    ]
    return {"template": "stations/_home_block.html", "stations": stations}
