"""A little life for the demo: appeals at every stage and a few notices, made through the apps' own services.

Kept apart from the directory and people (`services.demo_load(content=False)`), so tests that need only
the community stay independent of the appeals and notices apps; `shequ demo` and `shequ serve` add it.
Times are relative to "now" (the services read `clock.now()`, pinned here step by step).
At the end, `life.demo_life_load()` adds forum topics, activities and venue bookings (guarded: a failure there
is logged and leaves the rest loaded).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction

from shequ.accounts.models import Residency, User
from shequ.core import clock
from shequ.demo import data
from shequ.directory.models import Party, Place, Spot

log = logging.getLogger("shequ.demo")


def demo_content_load() -> dict[str, int]:
    # Feature apps are imported here, not at module level: the directory part of the demo does not need them.
    from shequ.appeals import services as appeals  # noqa: PLC0415
    from shequ.appeals.models import Category  # noqa: PLC0415
    from shequ.notices import services as notices  # noqa: PLC0415
    from shequ.notices.models import Channel  # noqa: PLC0415

    now = clock.now()
    users = {u.phone: u for u in User.objects.filter(phone__in=[p.phone for p in data.PEOPLE])}
    homes = {
        r.user.phone: r.household
        for r in Residency.objects.select_related("user", "household").filter(user__in=users.values())
    }
    categories = {c.code: c for c in Category.objects.filter(is_active=True)}
    parties = {p.code: p for p in Party.objects.filter(code__startswith="demo-")}

    def at(hours_ago: float):
        return clock.frozen(now - timedelta(hours=hours_ago))

    def lift(compound: str, building: str, name: str) -> Spot:
        return Spot.objects.get(compound__name=compound, place__name=building, name=name)

    def step(appeal, phone: str, action: str, hours_ago: float, **extra):
        with at(hours_ago):
            return appeals.appeal_transition(appeal=appeal, actor=users[phone], action=action, **extra)

    def create(phone: str, hours_ago: float, *, category: str, text: str, kind: str = "help", **extra):
        with at(hours_ago):
            return appeals.appeal_create(
                reporter=users[phone],
                kind=kind,
                category=categories[category],
                place=extra.pop("place", None) or homes[phone],
                text=text,
                **extra,
            )

    made = {"appeals": 0, "notices": 0}
    scenes: list[Callable[[], None]] = []

    def scene(func: Callable[[], None]) -> Callable[[], None]:
        scenes.append(func)
        return func

    @scene
    def drain_fixed_and_rated() -> None:
        # 张秀芳 (知春东里 3号楼): reported, accepted, fixed, confirmed and rated by the resident
        appeal = create(
            "13800000001",
            72,
            category="drains",
            text="厨房下水道堵塞，水排不下去，已经两天了，麻烦尽快来看看。",
        )
        appeal = step(appeal, "13900000043", "accept", 71.5)
        appeal = step(appeal, "13900000043", "reply", 71, text="已收到，下午两点上门疏通，请家里留人。")
        appeal = step(
            appeal, "13900000043", "resolve", 66, text="已疏通厨房下水管道，清出油污杂物，试水正常。"
        )
        step(appeal, "13800000001", "rate", 60, solved=True, rating="satisfied", text="师傅来得快，谢谢！")

    @scene
    def lift_waiting_for_acceptance() -> None:
        # 杨思远 (tenant, 星规家园 3号楼): an urgent lift problem, dispatched and not yet accepted
        create(
            "13800000005",
            0.5,
            category="lift",
            urgency="urgent",
            spot=lift("星规家园", "3号楼", "1单元电梯"),
            text="1单元电梯经常停在8楼不动，按键没反应，家里有老人上下楼很不方便。",
        )

    @scene
    def heating_in_progress() -> None:
        # 刘桂兰 (60+ living alone, 北四环西院): heating not warm; the small company has accepted it
        appeal = create("13800000003", 20, category="heating", text="暖气片一直不热，屋里只有十四五度。")
        appeal = step(appeal, "13900000051", "accept", 19)
        step(appeal, "13900000051", "reply", 18, text="已联系供暖公司排查管线，明天上午上门放气检查。")

    @scene
    def old_lift_in_shanghecun() -> None:
        # 周建民 (上河村小区 2号楼): one of the old lifts broke down again; accepted by the property company
        appeal = create(
            "13800000008",
            6,
            category="lift",
            urgency="urgent",
            spot=lift("上河村小区", "2号楼", "1号电梯"),
            text="2号楼1号电梯又坏了，这个月第三次了，希望彻底检修。",
        )
        step(appeal, "13900000113", "accept", 5.5)

    @scene
    def bike_shed_suggestion() -> None:
        # 赵雨欣 (tenant): a suggestion to the residents' committee about the smart bike shed
        create(
            "13800000006",
            30,
            kind="suggestion",
            category="suggestion",
            place=Place.objects.get(code="demo-sigma"),
            text="建议智能车棚再增加几个充电口，晚上经常排队充电。",
        )

    @scene
    def private_health_question() -> None:
        # 陈福海 (60+ living alone): a private consultation answered by the family doctor
        appeal = create(
            "13800000004",
            26,
            kind="consult",
            category="health",
            text="最近血压有点高，早上量是150/95，饮食上要注意什么？",
        )
        step(appeal, "13900000061", "accept", 25)
        step(
            appeal,
            "13900000061",
            "reply",
            25,
            text="少盐少油，每天监测血压并记录。下周二上午来服务站复查，带上记录。",
        )

    @scene
    def notices_posted() -> None:
        sigma = Place.objects.get(code="demo-sigma")
        xgjy = Place.objects.get(code="demo-xgjy")
        posts = [
            (
                "13900000003",
                "demo-sigma-rc",
                Channel.COMMUNITY,
                sigma,
                "关于开展楼道堆物清理的通知",
                "为消除消防隐患，本周六上午9:00–11:30各楼开展楼道堆物清理，请居民提前整理个人物品。"
                "需要帮助搬运的老人请联系楼组长或居委会。",
                True,
            ),
            (
                "13900000001",
                "demo-sigma-party",
                Channel.PARTY,
                sigma,
                "党员志愿服务日",
                "本月15日上午在社区活动室开展党员志愿服务，欢迎在职党员到社区报到参加。",
                False,
            ),
            (
                "13900000042",
                "demo-pm01",
                Channel.PROPERTY,
                xgjy,
                "星规家园二次供水水箱清洗通知",
                "下周三8:00–12:00清洗二次供水水箱，期间暂停供水，请提前储水。",
                False,
            ),
            (
                "13900000005",
                "demo-police-zgc",
                Channel.POLICE,
                sigma,
                "防范电信诈骗提示",
                "近期有冒充“社保中心”来电要求转账的诈骗，请不要向陌生账户转账，有疑问拨打社区民警电话。",
                False,
            ),
        ]
        for hours_ago, (phone, party, channel, place, title, body, pinned) in zip(
            (50, 40, 10, 3), posts, strict=True
        ):
            with at(hours_ago):
                notices.notice_create(
                    author=users[phone],
                    party=parties[party],
                    channel=channel,
                    place=place,
                    title=title,
                    body=body,
                    is_pinned=pinned,
                )
            made["notices"] += 1

    from shequ.appeals.models import Appeal  # noqa: PLC0415

    with transaction.atomic():
        before = Appeal.objects.count()
        for func in scenes:
            func()
        made["appeals"] = Appeal.objects.count() - before
    _life_load()
    _votes_load(users, parties)
    _coordination_load()
    return made


def _votes_load(users: dict, parties: dict) -> None:
    """Owners' register, decisions, the 环物会 election and the maintenance fund (docs/decisions.md)."""
    from shequ.decisions.demo import demo_decisions_load  # noqa: PLC0415
    from shequ.elections.demo import demo_election_load, demo_owners_election_load  # noqa: PLC0415
    from shequ.funds.demo import demo_fund_load  # noqa: PLC0415

    with transaction.atomic():
        decisions = demo_decisions_load(users=users, parties=parties)
        demo_election_load(users=users, parties=parties)
        demo_owners_election_load(users=users, parties=parties)
        demo_fund_load(users=users, parties=parties, lifts=decisions["lifts"])


def _life_load() -> None:
    """The forum and 社区服务 part (shequ/demo/life.py). It runs in its own savepoint: if it fails, the
    appeals and notices above and the community stay loaded, and the error is logged."""
    from shequ.demo.life import demo_life_load  # noqa: PLC0415

    try:
        made = demo_life_load()
    except Exception:
        log.exception("demo forum and activities content failed")
    else:
        log.info("demo forum and activities content: %s", made)


def _coordination_load() -> None:
    """Meetings, the mutual-aid station, the course and the bike-shed project (shequ/demo/coordination.py),
    in their own savepoint like the forum part."""
    from shequ.demo.coordination import demo_coordination_load  # noqa: PLC0415

    try:
        with transaction.atomic():
            made = demo_coordination_load()
    except Exception:
        log.exception("demo coordination content failed")
    else:
        log.info("demo coordination content: %s", made)
