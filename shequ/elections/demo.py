"""Demo: the 希格玛社区 环物会 election (six owner seats by residents' representatives; the appointed
director and vice-directors in place) and the 上河村 owners'-committee election (art. 278, named ballots),
both voting now. Through the real services."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile

from shequ.accounts.models import Residency, User
from shequ.core import clock
from shequ.directory.models import Party, Place, PlaceKind
from shequ.elections import services, voting
from shequ.elections.models import Election

CANDIDATES = (
    ("知春东里", "3号楼", "冯桂芝", "楼组长，退休教师。愿意协调电梯维修和车棚建设，每周到楼里听意见。"),
    ("知春西里", "2号楼", "刘建华", "退休工程师，懂设备。想推动老旧电梯逐步更换。"),
    ("星规家园", "1号楼", "曹建国", "楼组长。把业主的意见整理好，在协调会上讲清楚。"),
    ("希格玛公寓", "1号楼", "沈玉梅", "社区志愿者，熟悉垃圾分类和环境整治。"),
    ("科苑小区", "2号楼", "吕志强", "做过物业管理，了解物业服务标准和收费。"),
    ("海淀南路院", "2号楼", "彭淑芬", "楼组长，关心独居老人，想把上门服务做实。"),
    ("中关村东院", "1号楼", "许海燕", "律师，愿意帮邻居看合同、讲规约。"),
    ("甲12号院", "5号楼", "唐国庆", "退役军人，想把夜间巡逻和消防通道管起来。"),
)


def demo_election_load(*, users: dict[str, User], parties: dict[str, Party]) -> Election:
    now = clock.now()
    rc_staff = users["13900000003"]
    sigma = Place.objects.get(kind=PlaceKind.COMMUNITY, name="希格玛社区")
    with clock.frozen(now - timedelta(days=12)):
        election = services.election_create(
            actor=rc_staff,
            organiser=parties["demo-sigma-rc"],
            place=sigma,
            kind="env_committee",
            electorate="representatives",
            title="希格玛社区环物会业主委员选举",
            description="环物会共9人：居委会委员1人任主任，社区民警2人任副主任，另由居民代表推荐投票选举6名业主委员。",
            seats=6,
            max_choices=6,
            alternates=2,
        )
        services.appointed_add(
            actor=rc_staff, election=election, role="director", name="何静怡", party=parties["demo-sigma-rc"]
        )
        for name in ("韩立军", "孟晓东"):
            services.appointed_add(
                actor=rc_staff,
                election=election,
                role="vice_director",
                name=name,
                party=parties["demo-police-zgc"],
            )
        for compound, building, name, statement in CANDIDATES:
            b = Place.objects.filter(kind=PlaceKind.BUILDING, name=building, parent__name=compound).first()
            services.candidate_nominate(
                actor=rc_staff,
                election=election,
                route="residents_committee",
                name=name,
                building=b,
                statement=statement,
            )
        reps = User.objects.filter(
            residencies__household__community=sigma, residencies__status=Residency.Status.VERIFIED
        ).distinct()
        for user in reps:
            services.representative_add(actor=rc_staff, election=election, user=user)
        election = services.election_publicise(
            actor=rc_staff,
            election=election,
            opens_at=now - timedelta(days=2),
            closes_at=now + timedelta(days=5),
        )
    with clock.frozen(now - timedelta(days=2)):
        election = services.election_open(actor=rc_staff, election=election)
    ids = list(election.candidates.order_by("id").values_list("pk", flat=True))
    with clock.frozen(now - timedelta(days=1)):
        for i, entry in enumerate(
            election.roll.exclude(user__phone="13800000001").select_related("user")[:6]
        ):
            voting.election_vote(user=entry.user, election=election, candidate_ids=ids[i % 3 : i % 3 + 6])
    return election


OWNERS_CANDIDATES = (
    ("3号楼", "邵明远", "退休会计。每季度公开业委会账目和维修资金使用情况。"),
    ("5号楼", "葛丽娟", "小学教师。推动电梯更换按时完工，组织验收。"),
    ("8号楼", "乔卫东", "电梯维保工程师，懂设备，愿意盯住维保质量。"),
    ("1号楼", "蒋秀兰", "楼组长，熟悉老住户，关心独居老人。"),
    ("2号楼", "谢宏伟", "律师。审查物业合同，维护业主权益。"),
    ("6号楼", "杜春燕", "社区志愿者，愿意做好议事规则和公示。"),
    ("7号楼", "卢志刚", "做过物业项目经理，了解服务标准和收费。"),
)


def demo_owners_election_load(*, users: dict[str, User], parties: dict[str, Party]) -> Election:
    """上河村小区 elects its second owners' committee (5 seats) under Civil Code art. 278: named ballots by
    the owners on the register, counted by area and headcount; voting now, 30 paper ballots already in, and
    周建民 (13800000008, an owner in 2号楼) can vote from the home page."""
    now = clock.now()
    chair = users["13900000101"]
    shc = Place.objects.get(kind=PlaceKind.COMPOUND, name="上河村小区")
    with clock.frozen(now - timedelta(days=10)):
        election = services.election_create(
            actor=chair,
            organiser=parties["demo-shc-owners"],
            place=shc,
            kind="owners_committee",
            electorate="owners",
            title="上河村小区第二届业主委员会换届选举",
            description="业主委员会任期届满，在街道和社区居委会指导下换届。应选委员5名，候补2名。",
            seats=5,
            max_choices=5,
            alternates=2,
        )
        for building, name, statement in OWNERS_CANDIDATES:
            b = Place.objects.filter(kind=PlaceKind.BUILDING, name=building, parent=shc).first()
            services.candidate_nominate(
                actor=chair,
                election=election,
                route="owners",
                name=name,
                building=b,
                nominators="王建国、李桂英、张淑华、刘志明、陈玉兰",
                statement=statement,
            )
        election = services.election_publicise(
            actor=chair,
            election=election,
            opens_at=now - timedelta(days=2),
            closes_at=now + timedelta(days=12),
        )
    with clock.frozen(now - timedelta(days=2)):
        election = services.election_open(actor=chair, election=election)
    ids = list(election.candidates.order_by("id").values_list("pk", flat=True))
    with clock.frozen(now - timedelta(days=1)):
        for i, entry in enumerate(election.roll.filter(user__isnull=True).order_by("id")[:30]):
            voting.election_enter_paper(
                actor=chair,
                election=election,
                roll_entry_id=entry.pk,
                candidate_ids=ids[i % 3 : i % 3 + 4],
                document=ContentFile(b"\xff\xd8\xff\xe0demo-ballot", name=f"选票-{entry.pk}.jpg"),
            )
    return election
