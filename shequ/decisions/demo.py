"""Demo data of the owners' register and decisions, written through the real services (register import,
publicise, open, ballots, close). Called by the demo loader (`shequ.demo.content`)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.files.base import ContentFile

from shequ.accounts.models import Residency, User
from shequ.core import clock
from shequ.decisions import register, services, voting
from shequ.decisions.models import Decision, RollVoter
from shequ.directory.models import Party, Place, PlaceKind

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "建国秀英桂兰德明志强海燕淑珍玉梅文华丽娟国庆红霞永胜春生金凤宝山淑华立新雪梅"
# A tiny valid JPEG (the "photo" of a paper ballot in the demo).
PHOTO = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f"
    "141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100"
    "ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000"
    "017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a"
    "3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a9293949596"
    "9798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2"
    "f3f4f5f6f7f8f9faffda0008010100003f00fbd0ffd9"
)


def photo(name: str) -> ContentFile:
    return ContentFile(PHOTO, name=name)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2])


def register_compound(
    *, compound: Place, actor, organiser: Party, developer: str = "", unsold: int = 0, seed: int = 1
) -> int:
    """Every household of the compound with an owner of record (demo residents who are verified owners under
    their own name and phone, so they are linked), a buyer of two flats, and `unsold` developer units."""
    rng = random.Random(seed)
    owners = {
        r.household_id: r.user
        for r in Residency.objects.filter(
            household__compound=compound, relation="owner", status="verified"
        ).select_related("user")
    }
    households = list(
        Place.objects.filter(compound=compound, kind=PlaceKind.HOUSEHOLD)
        .select_related("building", "unit")
        .order_by("building__sort", "unit__sort", "sort", "id")
    )
    lines = ["楼栋,单元,门牌号,类型,专有面积,面积依据,业主,电话,代表人,建设单位未售"]
    buyer = (_name(rng), "13600000000")
    for i, h in enumerate(households):
        user: User | None = owners.get(h.pk)
        building = h.building.name if h.building is not None else ""
        unit = h.unit.name if h.unit is not None else ""
        if user is not None:
            name, phone = user.real_name, user.phone
        elif i >= len(households) - unsold and developer:
            lines.append(f"{building},{unit},{h.name},住宅,{h.floor_area},登记,{developer},,,是")
            continue
        elif i in (3, 4):
            name, phone = buyer  # one buyer of two flats: counts once, with both areas
        else:
            name, phone = _name(rng), ""
        lines.append(f"{building},{unit},{h.name},住宅,{h.floor_area},登记,{name},{phone},,")
    report = register.register_import(
        actor=actor,
        organiser=organiser,
        compound=compound,
        file="\n".join(lines).encode(),
        filename="名册.csv",
    )
    assert report.ok, report.rejected[:3]
    return report.units


def _paper(decision: Decision, actor, voters: list[RollVoter], choices: list[str]) -> None:
    """The stack of paper ballots, scanned as one file and entered at once (`ballots_enter_batch`)."""
    entries = [(v.pk, c) for v, c in zip(voters, choices, strict=False)]
    voting.ballots_enter_batch(
        actor=actor, decision=decision, entries=entries, document=photo(f"ballots-{decision.pk}.jpg")
    )


def demo_decisions_load(*, users: dict[str, User], parties: dict[str, Party]) -> dict[str, Decision]:
    now = clock.now()
    rng = random.Random(2026)
    shc = Place.objects.get(kind=PlaceKind.COMPOUND, name="上河村小区")
    zcdl = Place.objects.get(kind=PlaceKind.COMPOUND, name="知春东里")
    owners_head = users["13900000101"]  # 上河村 owners' committee chair
    rc = users["13900000003"]  # 希格玛社区居委会
    register_compound(
        compound=shc,
        actor=owners_head,
        organiser=parties["demo-shc-owners"],
        developer="北京上河置业有限公司",
        unsold=6,
        seed=7,
    )
    register_compound(compound=zcdl, actor=rc, organiser=parties["demo-sigma-rc"], seed=11)

    # A closed decision of the owners of the buildings with the oldest lifts, posted with its counts.
    old = list(
        Place.objects.filter(parent=shc, kind=PlaceKind.BUILDING, name__in=["3号楼", "5号楼", "8号楼"])
    )
    with clock.frozen(now - timedelta(days=40)):
        lifts = services.decision_create(
            actor=owners_head,
            organiser=parties["demo-shc-owners"],
            compound=shc,
            matter="use_fund",
            buildings=old,
            title="使用公共维修基金更换3号、5号、8号楼运行超过15年的电梯",
            body="3号、5号、8号楼共12部电梯于2006年投入使用，近一年故障停梯47次。拟使用本三栋楼的公共维修基金"
            "整体更换，费用按专有部分面积分摊。共用这些电梯的只有这三栋楼的业主，故由这三栋楼的业主表决。",
        )
        lifts = services.decision_publicise(
            actor=owners_head,
            decision=lifts,
            opens_at=now - timedelta(days=33),
            closes_at=now - timedelta(days=18),
        )
    with clock.frozen(now - timedelta(days=33)):
        lifts = services.decision_open(actor=owners_head, decision=lifts)
    with clock.frozen(now - timedelta(days=30)):
        voters = list(lifts.voters.filter(owner__user__isnull=True).order_by("pk"))
        rng.shuffle(voters)
        n = len(voters) * 4 // 5
        _paper(
            lifts,
            owners_head,
            voters[:n],
            rng.choices(["agree", "disagree", "abstain"], weights=[80, 12, 8], k=n),
        )
    with clock.frozen(now - timedelta(days=18)):
        lifts = services.decision_close(actor=owners_head, decision=lifts)

    # An open vote in 知春东里 that 张秀芳 (13800000001, 3号楼) can cast.
    sheds = list(Place.objects.filter(parent=zcdl, kind=PlaceKind.BUILDING, name__in=["3号楼", "4号楼"]))
    with clock.frozen(now - timedelta(days=4)):
        shed = services.decision_create(
            actor=rc,
            organiser=parties["demo-sigma-rc"],
            compound=zcdl,
            matter="common_parts",
            buildings=sheds,
            title="3号楼、4号楼楼前空地改建为智能充电车棚",
            body="楼前空地现为杂物堆放处，电动自行车在楼道充电有火灾隐患。拟改建为带充电桩和监控的智能车棚，"
            "由3号楼、4号楼业主共用。改变共有部分用途，须经参与表决面积和人数四分之三以上同意。",
        )
        shed = services.decision_publicise(
            actor=rc, decision=shed, opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=13)
        )
    with clock.frozen(now - timedelta(days=2)):
        shed = services.decision_open(actor=rc, decision=shed)
    with clock.frozen(now - timedelta(days=1)):
        voters = list(shed.voters.filter(owner__user__isnull=True).order_by("pk"))[:20]
        _paper(shed, rc, voters, ["agree"] * 17 + ["disagree", "abstain", "agree"])
    return {"lifts": lifts, "shed": shed}
