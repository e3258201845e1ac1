"""Blocks the meetings app offers to pages it does not own.

* `workbench_section(request)` — "会议与待办": the upcoming meetings and open action items of the
  user's parties, for a staff workbench or start page (template `meetings/_workbench_block.html`,
  context key `section`). Also shown on the home page through SHEQU_HOME_SECTIONS (`home_section`).
* `appeal_section(request, appeal)` — "已在协调会…上讨论": the meetings that had the appeal on their
  agenda (template `meetings/_appeal_block.html`, context key `meetings`).
"""

from __future__ import annotations

from django.http import HttpRequest

from shequ.core import clock
from shequ.meetings import rules, selectors

BLOCK_LIMIT = 5


def workbench_section(request: HttpRequest) -> dict | None:
    user = request.user
    if not user.is_authenticated or not rules.staff_party_ids(user=user):
        return None
    items_qs = selectors.action_items_for(user=user)
    items = list(items_qs[:BLOCK_LIMIT])
    meetings = selectors.upcoming_meetings_for(user=user, limit=BLOCK_LIMIT)
    if not items and not meetings:
        return None
    return {
        "template": "meetings/_workbench_block.html",
        "items": items,
        "open_count": items_qs.count() if len(items) == BLOCK_LIMIT else len(items),
        "meetings": meetings,
        "now": clock.now(),
    }


def home_section(request: HttpRequest, household) -> dict | None:
    return workbench_section(request)


def appeal_section(request: HttpRequest, appeal) -> dict | None:
    meetings = selectors.meetings_for_appeal(appeal_id=appeal.pk)
    if not meetings:
        return None
    return {"template": "meetings/_appeal_block.html", "meetings": meetings}
