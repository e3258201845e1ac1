"""Neighbourhood life for the demo: 邻里交流 topics and 社区服务 activities and venues.

Made only through the public services of `shequ.forum` and `shequ.activities` (see docs/channels.md), so
the sensitive-word filter, phone masking, capacity/waitlist and the booking rules all apply as for real
users. Called at the end of `content.demo_content_load()`; everything happens in one savepoint, so a
failure here leaves the rest of the demo loaded. Times are relative to `clock.now()` (pinned step by step),
so the demo always looks current: topics from the last days, activities and bookable slots ahead.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from shequ.accounts.models import User
from shequ.core import clock
from shequ.demo import data
from shequ.directory.models import Party, Place, Spot

# Topics: (board key, author phone, hours ago, title, body, [(replier phone, hours ago, body)], likers).
# Board keys: "sigma" = 希格玛社区, "zcdl" = 知春东里, "xgjy" = 星规家园.
TOPICS = (
    (
        "xgjy",
        "13800000005",
        52,
        "星规路智能车棚晚上充电要排队，大家一般几点去？",
        "下班回来八点多，充电口基本都占满了。刷卡进出倒是挺方便的，就是充电口少了点。"
        "已经在“我要反映”里提了加充电口的建议，大家有同样情况的可以一起说说。",
        [
            ("13900000022", 50, "早上七点前去基本都有空位。车充满了记得挪走，给别人腾地方。"),
            ("13900000103", 47, "业委会下次开会把加装充电口列进议题，先统计一下需求，欢迎大家在下面留言。"),
            ("13800000005", 45, "谢谢邵主任！我们3号楼好几户都有这个需要。"),
        ],
        ("13900000022", "13900000103"),
    ),
    (
        "zcdl",
        "13800000001",
        20,
        "寻猫：橘色小猫“团团”在3号楼附近走失",
        "昨天傍晚开门时跑出去了，橘白相间，戴蓝色项圈，比较怕人。"
        "哪位邻居在车棚、绿化带或者地下室附近看到了，麻烦打我电话 13812345678，必有酬谢！",
        [
            ("13900000021", 18, "我在楼道群里也转发了，大家留意一下楼道和单元门口。"),
            ("13900000031", 9, "刚才好像在1号楼东侧绿化带里看到一只橘猫，你过去看看是不是。"),
        ],
        ("13900000021", "13900000031"),
    ),
    (
        "sigma",
        "13800000006",
        30,
        "周末跳蚤市场，一起把闲置拿出来换一换",
        "居委会说周六上午在社区活动室门口可以摆摊，书、玩具、小家电都行，不收摊位费。"
        "小朋友的绘本和玩具可以以物换物，我准备带一箱绘本过去。",
        [
            ("13900000032", 28, "好主意！我有几件九成新的厨房小家电，正好拿去。"),
            ("13800000004", 26, "我这有些旧书报，能不能放在那里免费送给大家？"),
        ],
        ("13900000032", "13900000034", "13800000004"),
    ),
    (
        "zcdl",
        "13800000001",
        58,
        "感谢物业石师傅上门疏通下水道",
        "厨房下水道堵了两天，报修后石师傅当天下午就来了，疏通得很干净，还教我怎么防止再堵。"
        "给知春东里的物业点个赞！",
        [("13900000021", 56, "石师傅是热心人，我们楼的水管也是他修的。")],
        ("13900000021", "13900000031"),
    ),
    (
        "sigma",
        "13900000021",
        8,
        "天冷了，大家多关照楼里的独居老人",
        "降温了，楼里有几位独居的老人。大家上下楼碰见多问一句，有什么需要可以找楼组长或者社区互助站。",
        [("13800000002", 6, "谢谢冯大姐，上周互助站的志愿者还来帮我换了灯泡。")],
        ("13800000002", "13800000006", "13900000063"),
    ),
)

# Activities: (key, organiser code, actor phone, place key, kind, title, description, location/venue key,
# days ahead (None: the venue's first open day), start hour, duration hours, capacity, sign-ups (phone, hours ago)).
ACTIVITIES = (
    (
        "culture",
        "demo-sigma-rc",
        "13900000003",
        "sigma",
        "culture",
        "社区合唱团冬季音乐会",
        "社区合唱团和知春路实验小学合唱队联合演出，曲目有《我和我的祖国》等。欢迎带家人来听。",
        "room",
        6,
        14,
        2,
        40,
        (("13800000001", 40), ("13900000021", 36), ("13900000032", 30), ("13800000002", 20)),
    ),
    (
        "child_care",
        "demo-cb-school",
        "13900000071",
        "sigma",
        "child_care",
        "假期儿童托管班（作业辅导和手工）",
        "知春路实验小学老师和志愿者带班，6–12岁，上午作业辅导，下午手工和阅读。名额有限，满员后可以候补。",
        "知春路实验小学多功能厅",
        9,
        9,
        7,
        4,
        (
            ("13800000006", 50),
            ("13800000005", 44),
            ("13900000103", 40),
            ("13900000022", 33),
            ("13800000001", 12),
            ("13900000034", 5),
        ),
    ),
    (
        "elderly_care",
        "demo-sigma-doctors",
        "13900000061",
        "sigma",
        "elderly_care",
        "家庭医生上门巡诊（60岁以上独居老人）",
        "家庭医生团队上门测血压、血糖，整理用药，讲讲冬季防跌倒。请在家等候，医生会提前电话联系。",
        "各户家中",
        3,
        9,
        3,
        10,
        (("13800000002", 26), ("13800000003", 24), ("13800000004", 22)),
    ),
    (
        "volunteer",
        "demo-sigma-aid",
        "13900000063",
        "sigma",
        "volunteer",
        "互助站便民维修日志愿者招募",
        "修小家电、换灯泡、磨刀、修自行车。招募会手艺的志愿者，也欢迎来帮忙登记和引导。",
        "星规路智能车棚旁",
        4,
        9,
        3,
        8,
        (("13900000064", 30), ("13900000031", 28), ("13900000036", 10)),
    ),
    (
        "shc_culture",
        "demo-shc-rc",
        "13900000112",
        "shc",
        "culture",
        "红巷生活广场周末邻里集市",
        "上河村社区的周末集市：旧物交换、手工摊位，还有社区广场舞队表演。",
        "square",
        None,
        9,
        3,
        30,
        (("13800000008", 20), ("13900000101", 15)),
    ),
)

ROOM_HOURS = [(9, 11), (14, 16), (19, 21)]
SQUARE_HOURS = [(9, 12), (15, 18)]


def demo_life_load() -> dict[str, int]:
    # Feature apps are imported here: the directory part of the demo does not need them.
    from shequ.activities import services as activities  # noqa: PLC0415
    from shequ.forum import services as forum  # noqa: PLC0415

    now = clock.now()
    users = {u.phone: u for u in User.objects.filter(phone__in=[p.phone for p in data.PEOPLE])}
    parties = {p.code: p for p in Party.objects.filter(code__startswith="demo-")}
    places = {
        "sigma": Place.objects.get(code="demo-sigma"),
        "zcdl": Place.objects.get(code="demo-zcdl"),
        "xgjy": Place.objects.get(code="demo-xgjy"),
        "shc": Place.objects.get(code="demo-shc"),
    }
    today = timezone.localdate(now)

    def ago(hours: float):
        return clock.frozen(now - timedelta(hours=hours))

    def local(day: date, hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour)))

    made = {
        "topics": 0,
        "replies": 0,
        "likes": 0,
        "activities": 0,
        "signups": 0,
        "venues": 0,
        "slots": 0,
        "bookings": 0,
    }

    with transaction.atomic():
        # --- 邻里交流 -------------------------------------------------------------------------------
        boards = {key: forum.board_ensure(place=places[key]) for key in ("sigma", "zcdl", "xgjy")}
        for board_key, author, hours, title, body, replies, likers in TOPICS:
            with ago(hours):
                topic = forum.topic_create(
                    author=users[author], board=boards[board_key], title=title, body=body
                )
            made["topics"] += 1
            for phone, reply_hours, text in replies:
                with ago(reply_hours):
                    reply = forum.reply_create(author=users[phone], topic=topic, body=text)
                made["replies"] += 1
                if phone != author:
                    forum.like_toggle(user=users[author], target=reply)
                    made["likes"] += 1
            for phone in likers:
                forum.like_toggle(user=users[phone], target=topic)
                made["likes"] += 1

        # --- venues: 希格玛社区活动室 and 红巷生活广场 (linked to their directory spots) -------------------
        room_owner, square_owner = users["13900000003"], users["13900000112"]
        with ago(24 * 20):
            room = activities.venue_create(
                actor=room_owner,
                owner=parties["demo-sigma-rc"],
                place=places["sigma"],
                name="希格玛社区活动室",
                spot=Spot.objects.filter(code="SIGMA-ROOM-1").first(),
                capacity=60,
                description="党群服务中心一层，可开展讲座、排练、兴趣小组活动；有投影和音响。",
            )
            square = activities.venue_create(
                actor=square_owner,
                owner=parties["demo-shc-rc"],
                place=places["shc"],
                name="红巷生活广场",
                spot=Spot.objects.filter(code="SHC-SQUARE-1", community__name="上河村社区").first(),
                capacity=200,
                description="上河村小区中心广场，适合集市、广场舞和室外活动；请提前预约，活动后恢复场地整洁。",
            )
        made["venues"] = 2
        room_slots, square_slots = [], []
        for offset in range(1, 15):
            day = today + timedelta(days=offset)
            room_slots += activities.slots_create(actor=room_owner, venue=room, day=day, hours=ROOM_HOURS)
            if day.weekday() >= 5:  # the square opens for bookings at weekends
                square_slots += activities.slots_create(
                    actor=square_owner, venue=square, day=day, hours=SQUARE_HOURS
                )
        made["slots"] = len(room_slots) + len(square_slots)

        # --- activities, with sign-ups; the child-care class is full and has a waitlist -----------------
        venues = {"room": room, "square": square}
        for (
            _key,
            organiser,
            actor,
            place_key,
            kind,
            title,
            description,
            where,
            days,
            hour,
            duration,
            capacity,
            signups,
        ) in ACTIVITIES:
            venue = venues.get(where)
            if days is None:  # on the first day the venue opens (the square: the coming weekend)
                starts = next(
                    s.starts_at for s in square_slots if timezone.localtime(s.starts_at).hour == hour
                )
            else:
                starts = local(today + timedelta(days=days), hour)
            with ago(24 * 3):
                activity = activities.activity_create(
                    actor=users[actor],
                    organiser=parties[organiser],
                    place=places[place_key],
                    kind=kind,
                    title=title,
                    description=description,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=duration),
                    capacity=capacity,
                    location="" if venue else where,
                    venue=venue,
                    signup_closes_at=starts - timedelta(hours=12),
                )
            made["activities"] += 1
            if venue is not None:  # the organiser books the venue's slot for it, and it is approved at once
                slot = next(
                    (
                        s
                        for s in (room_slots + square_slots)
                        if s.venue_id == venue.pk and s.starts_at == starts
                    ),
                    None,
                )
                if slot is not None:
                    with ago(24 * 3):
                        booking = activities.booking_create(
                            user=users[actor], slot=slot, purpose=title, people=capacity
                        )
                        activities.booking_decide(actor=users[actor], booking=booking, approve=True)
                    made["bookings"] += 1
            for phone, hours in signups:
                with ago(hours):
                    activities.signup_create(user=users[phone], activity=activity)
                made["signups"] += 1

        # --- bookings: one approved, one waiting for the residents' committee --------------------------
        with ago(30):
            approved = activities.booking_create(
                user=users["13900000036"], slot=room_slots[1], purpose="北四环西院老年书法小组练习", people=12
            )
        with ago(26):
            activities.booking_decide(
                actor=room_owner, booking=approved, approve=True, reason="已批准，请活动后关好门窗。"
            )
        with ago(2):
            activities.booking_create(
                user=users["13800000001"],
                slot=room_slots[7],
                purpose="知春东里3号楼邻里议事会：商量楼道加装扶手",
                people=15,
            )
        if square_slots:
            with ago(5):
                activities.booking_create(
                    user=users["13800000008"],
                    slot=square_slots[-1],
                    purpose="上河村小区广场舞队周末排练",
                    people=25,
                )
        made["bookings"] += 2 + bool(square_slots)
    return made
