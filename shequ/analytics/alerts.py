"""Early warning to the leaders' inbox: each spike (dashboards.spikes — this week above the mean + 3σ of the
previous 8 full weeks and at least 5) is sent once to the leaders of the street and of the community where
it occurred, through the notifications app (verb `analytics.spike`, inbox plus the person's chosen
channels). `SpikeAlert` keeps the record, so the hourly sweep and repeated runs never send it twice."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse

from shequ.analytics import dashboards
from shequ.analytics.models import SpikeAlert
from shequ.analytics.scope import COMMUNITY_KINDS, LEADER_ROLES
from shequ.core import clock
from shequ.directory.models import Membership, PartyKind, Place, PlaceKind, Role

# Observers read dashboards but do not act on a warning; they are not sent it.
ALERT_ROLES = LEADER_ROLES - {Role.OBSERVER}


def _leaders(*, area: Place) -> dict[int, list[int]]:
    """Users to tell per area id: the street office's leaders of each street, the community parties'
    leaders of each community (one query each)."""
    out: dict[int, set[int]] = {}
    rows = Membership.objects.filter(is_active=True, role__in=ALERT_ROLES).values_list(
        "user_id", "party__served__place_id", "party__home_id"
    )
    if area.kind == PlaceKind.STREET:
        rows = rows.filter(party__kind=PartyKind.STREET_OFFICE)
    else:
        rows = rows.filter(party__kind__in=COMMUNITY_KINDS)
    for user_id, served, home in rows:
        for pid in (served, home):
            if pid:
                out.setdefault(pid, set()).add(user_id)
    return {k: sorted(v) for k, v in out.items()}


def _title(spike: dashboards.Spike) -> str:
    what = "类别" if spike.dimension == "category" else "小区"
    return f"预警：{what}「{spike.label}」本周诉求 {spike.count} 件，超过前8周均值+3倍标准差（{spike.threshold:.1f}）"


def spikes_notify(*, now: datetime | None = None) -> int:
    """Find this week's spikes in every street and community with leaders and tell them once.
    Returns the number of new spikes notified."""
    now = now or clock.now()
    today = now.astimezone(dashboards._tz()).date()
    sent = 0
    for kind, field in ((PlaceKind.STREET, "street_id"), (PlaceKind.COMMUNITY, "community_id")):
        leaders = _leaders(area=Place(kind=kind))
        for area in Place.objects.filter(kind=kind, pk__in=list(leaders)).order_by("pk"):
            users = leaders[area.pk]
            for spike in dashboards.spikes(**{field: area.pk}, today=today):
                sent += _send(area=area, spike=spike, users=users, now=now)
    return sent


def _send(*, area: Place, spike: dashboards.Spike, users: list[int], now: datetime) -> int:
    from shequ.notifications.services import notify  # noqa: PLC0415

    view = "analytics:street_dashboard" if area.kind == PlaceKind.STREET else "analytics:community_dashboard"
    param = "street" if area.kind == PlaceKind.STREET else "community"
    if SpikeAlert.objects.filter(
        area_id=area.pk, dimension=spike.dimension, key=spike.key, week=spike.week
    ).exists():
        return 0
    try:
        with transaction.atomic():
            SpikeAlert.objects.create(
                area_id=area.pk,
                dimension=spike.dimension,
                key=spike.key,
                week=spike.week,
                count=spike.count,
                threshold=spike.threshold,
                recipients=len(users),
                notified_at=now,
            )
            notify(
                recipients=users,
                verb="analytics.spike",
                title=_title(spike),
                body=f"{area.name} · {spike.week:%Y-%m-%d} 起本周",
                url=f"{reverse(view)}?{param}={area.pk}#h-spikes",
                key=f"analytics.spike:{area.pk}:{spike.dimension}:{spike.key}:{spike.week:%Y%m%d}",
            )
    except IntegrityError:  # already notified (this run raced another worker, or an earlier run)
        return 0
    return 1
