"""The "会议与待办" block of the staff start pages (portal's registry: `MeetingsConfig.shequ_start_blocks`).

For every staff member whose party has open action items or coming meetings: the open items with
their due time (overdue in red), the next meetings, and the action "召集协调会" for those who convene.
Two queries (the items, the meetings), a third only when there are more items than the list shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import clock
from shequ.meetings import action_items, rules, selectors

LIST_LIMIT = 3


# Portal renders a block by these attributes with its generic template; this app may not import portal
# (layers), so the block is this module's own dataclass of the same shape (see docs/start-pages.md).
@dataclass
class Tile:
    label: str
    value: object
    url: str = ""
    level: str = ""
    note: str = ""


@dataclass
class Item:
    title: str
    url: str
    meta: str = ""
    chip: str = ""
    chip_level: str = ""


@dataclass
class StartBlock:
    key: str
    title: str
    icon: str = "people"
    action_label: str = ""
    action_url: str = ""
    tiles: list[Tile] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    empty: str = ""
    more_url: str = ""
    more_label: str = ""
    note: str = ""
    order: int = 40
    desk: str = ""
    template: str = "portal/_start_block.html"


def block(request: HttpRequest, start: Any) -> StartBlock | None:
    user = request.user
    if not start.desks or not rules.staff_party_ids(user=user):
        return None
    now = clock.now()
    open_items = selectors.action_items_for(user=user)
    items = list(open_items[: LIST_LIMIT + 1])  # one more than shown: is there more than the list?
    meetings = selectors.upcoming_meetings_for(user=user, limit=LIST_LIMIT)
    if not items and not meetings:
        return None
    if len(items) > LIST_LIMIT:
        counts = open_items.aggregate(
            n=Count("id"), overdue=Count("id", filter=action_items.overdue_q(now=now))
        )
        total, overdue = counts["n"], counts["overdue"]
    else:
        total, overdue = len(items), sum(action_items.is_overdue(item=it, now=now) for it in items)
    items = items[:LIST_LIMIT]
    convenes = bool(rules.convening_parties(user=user)) and not start.read_only
    return StartBlock(
        key="meetings",
        title=_("会议与待办"),
        icon="people",
        order=40,
        desk=start.main_desk or "",
        action_label=_("召集协调会") if convenes else "",
        action_url=reverse("meetings:create") if convenes else "",
        tiles=[
            Tile(label=_("待办任务"), value=total, url=reverse("meetings:index")),
            Tile(
                label=_("已超期"),
                value=overdue,
                url=reverse("meetings:index"),
                level="overdue" if overdue else "ok",
            ),
        ],
        items=[
            Item(
                title=it.description[:40],
                url=reverse("meetings:item", args=[it.pk]),
                meta=f"{it.responsible_party.name} · {timezone.localtime(it.due_at):%m-%d %H:%M}",
                chip=_("已超期")
                if action_items.is_overdue(item=it, now=now)
                else str(it.get_status_display()),
                chip_level="overdue" if action_items.is_overdue(item=it, now=now) else "warn",
            )
            for it in items
        ]
        + [
            Item(
                title=m.topic,
                url=reverse("meetings:detail", args=[m.pk]),
                meta=f"{timezone.localtime(m.starts_at):%m-%d %H:%M} · {m.convener.name}",
                chip=str(m.get_status_display()),
                chip_level="info",
            )
            for m in meetings
        ],
        empty=_("没有待办的会议任务。"),
        more_url=reverse("meetings:index"),
        more_label=_("全部会议与任务"),
    )
