"""The fund's blocks on the home pages.

- `start_block`: "待审批" on a department's staff start page (portal's `shequ_start_blocks` registry);
- `section`: the same list on the resident home (SHEQU_HOME_SECTIONS), for officers who switched to it.
Portal renders a block with the template it names; this app cannot import portal (layers), so the block
is this module's own small dataclass with the attributes portal sorts and renders by.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from shequ.funds import selectors


@dataclass
class ReviewBlock:
    key: str
    title: str
    queue: list = field(default_factory=list)
    order: int = 15
    desk: str = "department"
    template: str = "funds/_start_block.html"


def start_block(request, start) -> ReviewBlock | None:
    if not request.user.is_authenticated:
        return None
    queue = list(selectors.review_queue(user=request.user)[:5])
    if not queue:
        return None
    return ReviewBlock(key="fund-review", title=_("待审批：维修资金使用申请"), queue=queue)


def section(request, household) -> dict | None:
    if not request.user.is_authenticated:
        return None
    queue = list(selectors.review_queue(user=request.user)[:5])
    if not queue:
        return None
    return {"template": "funds/_review_section.html", "queue": queue}
