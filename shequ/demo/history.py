"""A year of history for the leaders' dashboards: `demo_history_load()`.

Thirteen months of appeals across 中关村街道's 希格玛社区 and 曙光街道 (上河村社区 and its 16 sister
communities), bulk-inserted (a few seconds even on SQLite) and then rolled up once with
`analytics.rollups.rollup_rebuild()`:

- seasonality: heating complaints from November to March, lifts all year, water and drains in the
  summer rains, noise and parking steady;
- 上河村's 29 old lifts fail again and again (the same few lifts, weeks apart: the repeat-problem list);
- the 12345 hotline: before the reform month (`REFORM_MONTHS_AGO` months ago) 上河村's residents
  called 12345 about 30 times a month, nine in ten about community matters; from the reform month
  they report inside shequ instead and the hotline orders fall to about one a month. Each hotline
  appeal has its HotlineOrder, recorded as one import batch (`demo-12345.csv`), as the importer would
  have left it;
- statuses like a real district: everything older than a fortnight closed (mostly rated, some closed
  unrated), the last fortnight open in every state.

The random generator is seeded, so every demo shows the same history.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from shequ.accounts.models import Residency, User
from shequ.analytics.hotline import hotline_import
from shequ.analytics.models import HotlineImport, HotlineMatch, HotlineOrder
from shequ.analytics.rollups import rollup_rebuild
from shequ.appeals import routing
from shequ.appeals.models import (
    OPEN_STATUSES,
    Appeal,
    AppealEvent,
    Category,
    EventKind,
    Rating,
    Source,
    Status,
)
from shequ.appeals.sweeps import next_due_refresh
from shequ.core import clock
from shequ.directory.models import Place, PlaceKind, Spot, SpotKind

MONTHS = 13
REFORM_MONTHS_AGO = 6
SEED = 12345
DEMO_FILE = "demo-12345.csv"
# category code → (base per month per 1,000 households, months with a seasonal factor)
MIX: dict[str, tuple[float, dict[int, float]]] = {
    "lift": (9, {}),
    "heating": (2, {11: 7, 12: 9, 1: 9, 2: 7, 3: 4}),
    "water": (4, {6: 2, 7: 2.5, 8: 2}),
    "drains": (3, {7: 3, 8: 2.5}),
    "leaks": (3, {7: 2, 8: 2}),
    "power-lighting": (3, {}),
    "garbage": (5, {}),
    "noise": (4, {5: 1.5, 6: 1.5}),
    "parking": (4, {}),
    "property-service": (3, {}),
    "neighbour-dispute": (2, {}),
    "greening": (2, {4: 2, 5: 2}),
    "public-road": (1.5, {}),
}
HOTLINE_MIX = ("lift", "heating", "water", "property-service", "neighbour-dispute", "parking", "public-road")
CALLERS = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴")


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _month_start(today: date, months_ago: int) -> date:
    y, m = today.year, today.month - months_ago
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, 1)


class _History:
    def __init__(self, *, today: date) -> None:
        self.rng = random.Random(SEED)
        self.today = today
        self.now = clock.now()
        self.categories = {
            c.code: c for c in Category.objects.select_related("parent").filter(code__in=[*MIX, *HOTLINE_MIX])
        }
        self.routes: dict[tuple[str, int], routing.Route] = {}
        self.appeals: list[Appeal] = []
        self.orders: list[tuple[int, str, str]] = []  # (index in appeals, caller, address)
        self.seq = 0

    def route(self, category: Category, place: Place) -> routing.Route:
        # routed like `appeal_create` routes, once per routing kind × place (the demo has no per-category rules)
        kind = category.default_party_kind or (category.parent.default_party_kind if category.parent else "")
        key = (kind, place.pk)
        if key not in self.routes:
            self.routes[key] = routing.route(category=category, place=place)
        return self.routes[key]

    def add(
        self,
        *,
        community: Place,
        place: Place,
        reporter: User,
        code: str,
        when: datetime,
        source: str,
        spot: Spot | None = None,
        address: str = "",
    ) -> None:
        rng = self.rng
        category = self.categories[code]
        route = self.route(category, place)
        utility = category.time_class == "utility"
        a = Appeal(
            kind="help" if source != Source.HOTLINE else "complaint",
            category=category,
            place=place,
            spot=spot,
            street_id=place.street_id,
            community_id=place.community_id,
            compound_id=place.compound_id,
            building_id=place.building_id,
            text=f"{category.name}：{place.name}{spot.name if spot else ''}需要处理",
            source=source,
            reporter=reporter,
            status=Status.DISPATCHED if route.dispatched else Status.SUBMITTED,
            dispatcher=route.dispatcher,
            responsible_party=route.party,
            first_party=route.party if route.dispatched else None,
            created_at=when,
            updated_at=when,
            dispatched_at=when if route.dispatched else None,
            accept_due_at=when + timedelta(hours=2),
            resolve_due_at=when + (timedelta(hours=24) if utility else timedelta(days=7)),
        )
        self.seq += 1
        a.number = f"{when.astimezone(_tz()):%Y%m%d}{self.seq:07d}"
        age = self.now - when
        if route.dispatched and (age > timedelta(days=14) or rng.random() < 0.75):
            late = rng.random() < 0.12
            a.accepted_at = when + timedelta(minutes=rng.randint(150, 600) if late else rng.randint(5, 110))
            a.status = Status.ACCEPTED
            hours = (
                rng.choice((3, 6, 20, 30, 50, 70, 120, 200))
                if utility
                else rng.choice((20, 50, 100, 160, 300))
            )
            resolved = a.accepted_at + timedelta(hours=hours * rng.uniform(0.5, 1.2))
            if resolved < self.now:
                a.resolved_at = resolved
                a.status = Status.RESOLVED
                a.outcome = "已处理完毕"
                if resolved + timedelta(days=7) < self.now or rng.random() < 0.5:
                    if rng.random() < 0.8:
                        a.rated_at = resolved + timedelta(hours=rng.randint(2, 60))
                        a.solved = rng.random() < 0.9
                        a.rating = rng.choices(
                            (Rating.SATISFIED, Rating.BASICALLY, Rating.UNSATISFIED), (70, 20, 10)
                        )[0]
                        a.closed_at = a.rated_at
                    else:
                        a.closed_unrated = True
                        a.closed_at = resolved + timedelta(days=7)
                    a.status = Status.CLOSED
            elif rng.random() < 0.5:
                a.status = Status.IN_PROGRESS
        elif age > timedelta(days=14):
            a.status, a.closed_at = Status.CLOSED, when + timedelta(days=3)
        if (
            a.status not in (Status.CLOSED, Status.RESOLVED)
            and a.resolve_due_at is not None
            and a.resolve_due_at < self.now
            and rng.random() < 0.5
        ):
            a.escalation_level = 1
            a.escalated_to = route.dispatcher
        a.updated_at = a.closed_at or a.resolved_at or a.accepted_at or when
        if source == Source.HOTLINE:
            caller = rng.choice(CALLERS) + rng.choice(("先生", "女士", "大爷", "阿姨"))
            self.orders.append((len(self.appeals), caller, address or f"{community.name}{place.name}"))
        self.appeals.append(a)

    def events(self) -> list[AppealEvent]:
        out = []
        for a in self.appeals:
            out.append(
                AppealEvent(
                    appeal=a, kind=EventKind.SUBMITTED, created_at=a.created_at, data={"source": a.source}
                )
            )
            if a.dispatched_at:
                out.append(
                    AppealEvent(
                        appeal=a,
                        kind=EventKind.DISPATCHED,
                        party=a.responsible_party,
                        created_at=a.dispatched_at,
                    )
                )
            if a.accepted_at:
                out.append(
                    AppealEvent(
                        appeal=a, kind=EventKind.ACCEPTED, party=a.responsible_party, created_at=a.accepted_at
                    )
                )
            if a.resolved_at:
                out.append(
                    AppealEvent(appeal=a, kind=EventKind.RESOLVED, text=a.outcome, created_at=a.resolved_at)
                )
            if a.rated_at:
                out.append(
                    AppealEvent(
                        appeal=a, kind=EventKind.RATED, created_at=a.rated_at, data={"rating": a.rating}
                    )
                )
            elif a.closed_unrated:
                out.append(
                    AppealEvent(
                        appeal=a, kind=EventKind.CLOSED_UNRATED, created_at=a.closed_at or a.created_at
                    )
                )
        return out


def _reporters() -> dict[int, list[User]]:
    out: dict[int, list[User]] = {}
    for r in Residency.objects.select_related("user", "household").filter(status=Residency.Status.VERIFIED):
        if r.household.community_id:
            out.setdefault(r.household.community_id, []).append(r.user)
    return out


def demo_history_load(*, today: date | None = None) -> dict[str, int]:
    """Add the demo's year of history (see the module's docstring); returns what it made."""
    if HotlineImport.objects.filter(filename=DEMO_FILE).exists():
        return {"appeals": 0}  # loaded already
    today = today or clock.now().astimezone(_tz()).date()
    h = _History(today=today)
    rng = h.rng
    communities = list(
        Place.objects.filter(kind=PlaceKind.COMMUNITY, code__startswith="demo-").select_related("street")
    )
    if not communities:
        return {"appeals": 0}
    reporters = _reporters()
    fallback = list(User.objects.filter(phone__startswith="139").order_by("pk")[:1]) or list(
        User.objects.order_by("pk")[:1]
    )
    shc = next((c for c in communities if c.name == "上河村社区"), None)
    reform = _month_start(today, REFORM_MONTHS_AGO)
    old_lifts: list[Spot] = []
    if shc is not None:
        old_lifts = sorted(
            Spot.objects.filter(
                community_id=shc.pk, kind=SpotKind.LIFT, install_year__lte=today.year - 15
            ).select_related("place"),
            key=lambda s: s.pk,
        )
    for community in communities:
        compounds = list(Place.objects.filter(community_id=community.pk, kind=PlaceKind.COMPOUND))
        buildings = list(Place.objects.filter(community_id=community.pk, kind=PlaceKind.BUILDING))
        lifts = list(
            Spot.objects.filter(community_id=community.pk, kind=SpotKind.LIFT).select_related("place")
        )
        size = Place.objects.filter(community_id=community.pk, kind=PlaceKind.HOUSEHOLD).count() or 300
        people = reporters.get(community.pk) or fallback
        for months_ago in range(MONTHS - 1, -1, -1):
            start = _month_start(today, months_ago)
            end = _month_start(today, months_ago - 1) if months_ago else today + timedelta(days=1)
            days = (min(end, today + timedelta(days=1)) - start).days
            if days <= 0:
                continue
            after_reform = start >= reform
            for code, (base, season) in MIX.items():
                rate = 0.7 * base * size / 1000 * season.get(start.month, 1)
                if community == shc and after_reform:
                    rate *= 1.4  # residents now report inside the community
                if community == shc and code == "lift":
                    rate *= 3  # 29 lifts older than 15 years
                n = _poisson(rng, rate * days / 30)
                for _ in range(n):
                    when = _moment(rng, start, days, h.now)
                    if when is None:
                        continue
                    spot, place = (
                        None,
                        (
                            rng.choice(buildings)
                            if buildings
                            else (rng.choice(compounds) if compounds else community)
                        ),
                    )
                    if code == "lift" and lifts:
                        if community == shc and old_lifts and rng.random() < 0.6:
                            spot = old_lifts[
                                int(rng.triangular(0, min(len(old_lifts), 8), 0))
                            ]  # a few fail most
                        else:
                            spot = rng.choice(lifts)
                        place = spot.place
                    h.add(
                        community=community,
                        place=place,
                        reporter=rng.choice(people),
                        code=code,
                        when=when,
                        source=Source.PATROL if rng.random() < 0.08 else Source.APP,
                        spot=spot,
                    )
            # the 12345 hotline orders about this community
            if community == shc:
                rate = 1.0 if after_reform else 30.0
            elif community.name == "希格玛社区":
                rate = 9.0 if not after_reform else 6.0
            else:
                rate = 2.0
            for _ in range(_poisson(rng, rate * days / 30)):
                when = _moment(rng, start, days, h.now)
                if when is None:
                    continue
                matter = rng.random() < 0.9
                code = rng.choice(HOTLINE_MIX[:6]) if matter else "public-road"
                place = (
                    rng.choice(buildings)
                    if buildings
                    else (rng.choice(compounds) if compounds else community)
                )
                h.add(
                    community=community,
                    place=place,
                    reporter=rng.choice(people),
                    code=code,
                    when=when,
                    source=Source.HOTLINE,
                    address=f"海淀区{community.street.name if community.street else ''}{community.name}{place.name}",
                )
    with transaction.atomic():
        Appeal.objects.bulk_create(h.appeals, batch_size=1000)
        next_due_refresh(ids=[a.pk for a in h.appeals if a.status in OPEN_STATUSES])
        AppealEvent.objects.bulk_create(h.events(), batch_size=2000)
        batch = HotlineImport.objects.create(
            area=shc.street if shc is not None and shc.street else communities[0],
            filename=DEMO_FILE,
            file_format="csv",
            ok=True,
            report={"rows": len(h.orders), "imported": len(h.orders), "note": "demo history"},
        )
        HotlineOrder.objects.bulk_create(
            [
                HotlineOrder(
                    number=f"12345-{h.appeals[i].created_at.astimezone(_tz()):%Y%m%d}-{i:05d}",
                    area_id=h.appeals[i].street_id or communities[0].pk,
                    appeal=h.appeals[i],
                    received_at=h.appeals[i].created_at,
                    deadline=h.appeals[i].resolve_due_at,
                    caller_name=caller,
                    caller_phone=f"13{rng.randint(100000000, 999999999)}",
                    address_text=address,
                    category_text=h.appeals[i].category.name,
                    content=h.appeals[i].text,
                    hotline_status="已转社区",
                    match=HotlineMatch.BUILDING if h.appeals[i].building_id else HotlineMatch.COMMUNITY,
                    matched_place=h.appeals[i].place,
                    last_import=batch,
                    created_at=h.appeals[i].created_at,
                    updated_at=h.appeals[i].created_at,
                )
                for i, caller, address in h.orders
            ],
            batch_size=1000,
        )
        latest = _import_latest_file(shc, today) if shc is not None else None
        rollup_rebuild()
    out = {"appeals": len(h.appeals), "hotline_orders": len(h.orders)}
    if latest is not None:
        out["file_imported"] = latest.report.get("imported", 0)
    return out


LATEST_FILE = "demo-12345-latest.csv"


def _import_latest_file(shc: Place, today: date) -> HotlineImport | None:
    """This week's 12345 file for 上河村, read by the real importer (`analytics.hotline.hotline_import`) as its
    residents' committee dispatcher would upload it: one address matched to a building, one to the community
    only, one matching nothing (filed into the community's dispatch queue with its address text)."""
    actor = User.objects.filter(phone="13900000112").first()  # 尹晓红, 上河村社区居委会's dispatcher
    building = (
        Place.objects.filter(community_id=shc.pk, kind=PlaceKind.BUILDING, compound__isnull=False)
        .select_related("compound")
        .order_by("pk")
        .first()
    )
    if actor is None or building is None or building.compound is None:
        return None
    base = min(clock.now(), datetime.combine(today, time(8), tzinfo=_tz()))
    rows = [
        (
            6,
            "电梯",
            f"海淀区曙光街道上河村社区{building.compound.name}{building.name}",
            "电梯又停了，老人下不了楼",
        ),
        (3, "噪声扰民", "海淀区曙光街道上河村社区居委会旁", "夜里装修噪声很大"),
        (1, "垃圾清运", "曙光路北侧绿地", "绿地边上垃圾堆了好几天"),
    ]
    lines = ["工单编号,来电时间,来电人,来电号码,地址,分类,内容,办理时限,状态"]
    for i, (days, category, address, content) in enumerate(rows):
        at = (base - timedelta(days=days)).astimezone(_tz())
        due = at + timedelta(days=7)
        lines.append(
            f"12345-{at:%Y%m%d}-9{i:04d},{at:%Y-%m-%d %H:%M},市民{i + 1},1390000{i:04d},{address},"
            f"{category},{content},{due:%Y-%m-%d %H:%M},已派单"
        )
    return hotline_import(
        actor=actor, area=shc, data=("\n".join(lines) + "\n").encode(), filename=LATEST_FILE
    )


def _poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth for small means, a rounded normal for large ones)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, lam**0.5)))
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _moment(rng: random.Random, start: date, days: int, now: datetime) -> datetime | None:
    day = start + timedelta(days=rng.randrange(days))
    hour = rng.choices(
        range(24), weights=[1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 8, 6, 7, 8, 8, 9, 9, 8, 7, 5, 3, 2, 1]
    )[0]
    when = datetime.combine(day, time(hour, rng.randrange(60)), tzinfo=ZoneInfo(settings.TIME_ZONE))
    return when if when < now else None
