"""The start-page blocks portal provides for the appeal engine and supervision (SHEQU_START_BLOCKS).

Each block reads through the owning app's selectors and reuses its rules — the time-left colours of the
workbench chips, "overdue", the three rates — and links to the page where the work is done.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from shequ.accounts.models import User
from shequ.accounts.selectors import can_verify_anyone, pending_residencies_for
from shequ.analytics import rates as analytics_rates
from shequ.analytics.selectors import party_league
from shequ.appeals import selectors as appeal_selectors
from shequ.appeals.models import OPEN_STATUSES, Appeal, Status
from shequ.appeals.presenter import duration as _duration
from shequ.appeals.presenter import time_chips as _time_chips
from shequ.core import clock
from shequ.directory.models import Party, PartyKind, Place
from shequ.portal.start import (
    DEPARTMENT,
    DISPATCHER,
    HANDLER,
    STREET,
    SUPERVISOR,
    Item,
    Start,
    StartBlock,
    Tile,
)
from shequ.supervision import selectors as supervision_selectors
from shequ.supervision.models import Whistle

# How many open appeals the queue block colours one by one (a handler's queue is far smaller).
QUEUE_SCAN_LIMIT = 1000
LIST_LIMIT = 3
LEVELS = ("overdue", "bad", "warn", "ok")


def _appeal_item(appeal: Appeal, *, url: str, chip: object | None = None) -> Item:
    compound = appeal.place.compound if appeal.place.compound_id else None
    place = (compound or appeal.place).name
    title = f"{appeal.category.name}" + (f" · {place}" if place else "")
    return Item(
        title=title,
        url=url,
        meta=appeal.number,
        chip=getattr(chip, "label", ""),
        chip_level=getattr(chip, "level", ""),
    )


def queue(request: HttpRequest, start: Start) -> StartBlock | None:
    """Handler: open appeals of my parties counted by the time-left colour, and the next one due."""
    if not start.has(HANDLER):
        return None
    now = clock.now()
    qs = (
        appeal_selectors.appeals_visible_to(user=request.user, scope="assigned")
        .filter(status__in=list(OPEN_STATUSES))
        .select_related("category", "place", "place__compound")
        .order_by(*appeal_selectors.due_order())  # the workbench queue's one order (next_due_at)
    )
    rows = list(qs[:QUEUE_SCAN_LIMIT])
    counts = dict.fromkeys(LEVELS, 0)
    paused = 0
    first = None
    for appeal in rows:
        chips = _time_chips(appeal, now)
        level = chips[0].level if chips else "info"
        if level in counts:
            counts[level] += 1
            if first is None:
                first = (appeal, chips[0])
        else:
            paused += 1
    workbench = reverse("appeals:workbench")
    labels = {
        "overdue": _("已超时"),
        "bad": _("快到期"),
        "warn": _("过半"),
        "ok": _("时间充裕"),
    }
    tiles = [
        Tile(
            label=str(labels[level]),
            value=counts[level],
            level=level,
            url=workbench + ("?overdue=1" if level == "overdue" else ""),
        )
        for level in LEVELS
    ]
    if paused:
        tiles.append(Tile(label=_("已暂停"), value=paused, level="info", url=workbench + "?status=paused"))
    items = []
    if first is not None:
        appeal, chip = first
        items.append(_appeal_item(appeal, url=f"{workbench}?selected={appeal.pk}", chip=chip))
    return StartBlock(
        key="queue",
        title=_("我的工单"),
        icon="tools",
        action_label=_("打开工作台") if not start.read_only else _("查看工作台"),
        action_url=workbench,
        tiles=tiles,
        items=items,
        note=_("下一件到期") if items else "",
        empty=_("没有待办的工单。"),
        order=40,
        desk=HANDLER,
    )


def dispatch(request: HttpRequest, start: Start) -> StartBlock | None:
    """Residents' committee: the appeals no rule routed, oldest first, and residents to verify."""
    if not start.has(DISPATCHER):
        return None
    ids = [p.pk for p in start.parties.get(DISPATCHER, [])]
    qs = (
        appeal_selectors.appeals_visible_to(user=request.user, scope="all")
        .filter(status=Status.SUBMITTED, dispatcher_id__in=ids)
        .select_related("category", "place", "place__compound")
        .order_by("created_at", "id")
    )
    count = qs.count()
    now = clock.now()
    workbench = reverse("appeals:workbench")
    items = [
        _appeal_item(
            a,
            url=f"{workbench}?status=submitted&selected={a.pk}",
            chip=next(iter(_time_chips(a, now)), None),
        )
        for a in qs[:LIST_LIMIT]
    ]
    tiles = [
        Tile(
            label=_("待派单"),
            value=count,
            level="bad" if count else "ok",
            url=f"{workbench}?status=submitted",
        )
    ]
    if isinstance(request.user, User) and can_verify_anyone(user=request.user):
        pending = pending_residencies_for(user=request.user).count()
        tiles.append(
            Tile(
                label=_("待审核住户"),
                value=pending,
                level="warn" if pending else "ok",
                url=reverse("accounts:verify_queue"),
            )
        )
    return StartBlock(
        key="dispatch",
        title=_("派单队列"),
        icon="list",
        action_label=(_("去派单（%(n)d）") % {"n": count}) if not start.read_only else _("查看派单队列"),
        action_url=f"{workbench}?status=submitted",
        tiles=tiles,
        items=items,
        empty=_("没有等待派单的诉求。"),
        order=15,
        desk=DISPATCHER,
    )


def escalations(request: HttpRequest, start: Start) -> StartBlock | None:
    """环物会, party organisation (and the residents' committee): escalated appeals and open whistles."""
    if not (start.has(SUPERVISOR) or start.has(DISPATCHER)):
        return None
    ids = [p.pk for desk in (SUPERVISOR, DISPATCHER) for p in start.parties.get(desk, [])]
    qs = supervision_selectors.escalated_appeals(user=request.user)
    count = qs.count()
    rows = list(qs.select_related("place__compound")[:LIST_LIMIT])
    whistles = Whistle.objects.filter(party_id__in=ids, closed_at__isnull=True)
    open_whistles = whistles.count()
    escalated_url = reverse("supervision:escalated")
    items = []
    for a in rows:
        item = _appeal_item(a, url=reverse("appeals:detail", args=[a.pk]))
        item.chip, item.chip_level = _("升级%(n)d级") % {"n": a.escalation_level}, "bad"
        items.append(item)
    for w in whistles.select_related(
        "appeal", "appeal__category", "appeal__place", "appeal__place__compound"
    ).order_by("-blown_at")[:LIST_LIMIT]:
        item = _appeal_item(w.appeal, url=reverse("supervision:board", args=[w.appeal_id]))
        item.chip, item.chip_level = w.get_kind_display(), "info"
        items.append(item)
    dashboard = reverse("analytics:community_dashboard")
    return StartBlock(
        key="escalations",
        title=_("升级与吹哨"),
        icon="flag",
        action_label=_("处理升级诉求（%(n)d）") % {"n": count} if not start.read_only else _("查看升级诉求"),
        action_url=escalated_url,
        tiles=[
            Tile(label=_("升级到我方"), value=count, level="bad" if count else "ok", url=escalated_url),
            Tile(label=_("未结束的吹哨"), value=open_whistles, level="warn" if open_whistles else "ok"),
        ],
        items=items,
        empty=_("没有升级的诉求，也没有未结束的吹哨。"),
        more_url=dashboard,
        more_label=_("社区数据"),
        order=20,
        desk=SUPERVISOR if start.has(SUPERVISOR) else DISPATCHER,
    )


def summonses(request: HttpRequest, start: Start) -> StartBlock | None:
    """Department: the summonses waiting for us, with the report-in clock of each."""
    if not start.has(DEPARTMENT):
        return None
    now = clock.now()
    rows = list(
        supervision_selectors.summonses_for(user=request.user).select_related(
            "whistle__appeal__place", "whistle__appeal__place__compound"
        )
    )
    waiting = [s for s in rows if s.reported_in_at is None]
    late = [s for s in waiting if s.due_at < now]
    url = reverse("supervision:summonses")
    items = []
    for s in rows[: LIST_LIMIT + 2]:
        if s.reported_in_at is None:
            left = (s.due_at - now).total_seconds()
            label = (_("报到已超时%(t)s") if left <= 0 else _("报到剩%(t)s")) % {"t": _duration(left)}
            level = "overdue" if left <= 0 else ("bad" if left < 3600 else "warn")
        else:
            label, level = _("已报到，待反馈"), "info"
        item = _appeal_item(s.whistle.appeal, url=url)
        item.chip, item.chip_level = label, level
        items.append(item)
    return StartBlock(
        key="summonses",
        title=_("吹哨报到"),
        icon="whistle",
        action_label=(_("去报到（%(n)d）") % {"n": len(waiting)}) if not start.read_only else _("查看报到"),
        action_url=url,
        tiles=[
            Tile(label=_("待报到"), value=len(waiting), level="bad" if waiting else "ok", url=url),
            Tile(label=_("报到已超时"), value=len(late), level="overdue" if late else "ok", url=url),
            Tile(label=_("已报到待反馈"), value=len(rows) - len(waiting), level="info", url=url),
        ],
        items=items,
        empty=_("没有等待报到的召集。"),
        order=10,
        desk=DEPARTMENT,
    )


def _street_places(start: Start) -> list[Place]:
    parties = start.parties.get(STREET, [])
    return list(
        Place.objects.filter(served_by__party__in=parties, kind="street").distinct().order_by("sort", "id")
    )


def street(request: HttpRequest, start: Start) -> StartBlock | None:
    """Street leader (and observer): KPI tiles for the street and the worst-performing companies."""
    if not start.has(STREET):
        return None
    streets = _street_places(start)
    street_ids = [s.pk for s in streets]
    now = clock.now()
    month = analytics_rates.current_month()
    month_start, _end = analytics_rates.month_bounds(month)
    appeals = Appeal.objects.filter(street_id__in=street_ids).exclude(kind="consult")
    open_qs = appeals.filter(status__in=list(OPEN_STATUSES))
    this_month = appeals.filter(created_at__gte=month_start).count()
    open_count = open_qs.count()
    overdue = open_qs.filter(appeal_selectors.overdue_q(now=now)).count()
    # Counted for the street's parties (not the viewer's own), so the observer sees the leader's number.
    street_parties = [p.pk for p in start.parties.get(STREET, [])]
    escalated = supervision_selectors.escalated_to_parties(party_ids=street_parties).count()
    communities = Place.objects.filter(street_id__in=street_ids, kind="community").values_list(
        "pk", flat=True
    )
    rates = analytics_rates.Rates(month=month)
    for r in analytics_rates.place_rates(
        place_ids=list(communities), level="community", month=month
    ).values():
        rates.add(r.counts)
    league_url = reverse("analytics:street_dashboard")
    public_url = reverse("appeals:public")

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{round(value * 100)}%"

    def rate_level(value: float | None) -> str:
        return "" if value is None else "ok" if value >= 0.9 else "warn" if value >= 0.7 else "bad"

    tiles = [
        Tile(label=_("本月诉求"), value=this_month, url=public_url),
        Tile(label=_("未办结"), value=open_count, level="warn" if open_count else "ok", url=public_url),
        Tile(label=_("已超时"), value=overdue, level="overdue" if overdue else "ok"),
        Tile(
            label=_("升级到街道"),
            value=escalated,
            level="bad" if escalated else "ok",
            url=reverse("supervision:escalated"),
        ),
        Tile(label=_("响应率"), value=pct(rates.response_rate), level=rate_level(rates.response_rate)),
        Tile(label=_("解决率"), value=pct(rates.resolution_rate), level=rate_level(rates.resolution_rate)),
        Tile(
            label=_("满意率"), value=pct(rates.satisfaction_rate), level=rate_level(rates.satisfaction_rate)
        ),
    ]
    items = [
        Item(
            title=party.name,
            url=reverse("analytics:party", args=[party.pk]),
            meta=_("综合 %(c)s") % {"c": pct(r.composite)},
            chip=pct(r.composite),
            chip_level=rate_level(r.composite),
        )
        for party, r in worst_parties(user=request.user, month=month)
    ]
    return StartBlock(
        key="street",
        title=_("本街道概况"),
        icon="chart",
        action_label=_("看排名与三率"),
        action_url=league_url,
        tiles=tiles,
        items=items,
        note=_("本月表现最差的物业公司") if items else "",
        empty=_("本月还没有可比较的物业公司数据。"),
        order=10,
        desk=STREET,
    )


def worst_parties(*, user, month: str, limit: int = LIST_LIMIT) -> list[tuple[Party, analytics_rates.Rates]]:
    """The property companies of the viewer's streets with the lowest composite this month — only those
    with enough rated appeals to have one (the league table's own rule and scope)."""
    rows = [
        (p, r)
        for p, r in party_league(user=user, kind=PartyKind.PROPERTY_COMPANY, month=month)
        if r.sufficient
    ]
    return list(reversed(rows))[:limit]
