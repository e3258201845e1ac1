"""Coordination for the demo, made through the meetings, stations and projects services:

* a past 环物会 coordination meeting on the heating that did not get warm in 北四环西院, with minutes,
  two decisions and two action items — one done, one overdue and escalated by the sweep;
* the 希格玛 smart bike shed as a micro-project funded from the four sources, with receipts, spending
  and milestones, approved by the street (it takes government money) and accepted by the 环物会's community;
* the mutual-aid station run 招宝山-style: volunteers (party members among them), five neighbour
  disputes routed to it by the appeal engine — two solved in the station (40 %), two passed up, one
  open — with service hours; a party branch in 知春东里;
* a volunteer course from the street office with two sessions, a waitlist and two completions.

Times are relative to `clock.now()`; each step pins the clock. Called from `content.demo_content_load()`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from shequ.accounts.models import User
from shequ.core import clock

if TYPE_CHECKING:
    from shequ.projects.models import Project


def _png(name: str, colour: tuple[int, int, int], text: str = "") -> SimpleUploadedFile:
    img = Image.new("RGB", (480, 320), colour)
    if text:
        ImageDraw.Draw(img).text((20, 20), text, fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def _pdf(name: str) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@dataclass(frozen=True)
class _Spend:
    source: str
    amount: str
    payee: str
    description: str
    receipt: SimpleUploadedFile


@dataclass(frozen=True)
class _Milestone:
    title: str
    progress: int
    photo: SimpleUploadedFile | None = None


def _project_record(
    project: Project, actor: User, now: datetime, items: list[tuple[float, _Spend | _Milestone]]
) -> None:
    """Record a project's spendings and milestones, each `(days ago, item)` at its own time, in order."""
    from shequ.projects import services as projects  # noqa: PLC0415

    for days_ago, item in items:
        with clock.frozen(now - timedelta(days=days_ago)):
            if isinstance(item, _Spend):
                projects.spending_record(
                    project=project,
                    actor=actor,
                    source=item.source,
                    amount=item.amount,
                    payee=item.payee,
                    description=item.description,
                    receipt=item.receipt,
                )
            else:
                projects.milestone_add(
                    project=project, actor=actor, title=item.title, progress=item.progress, photo=item.photo
                )


def demo_coordination_load() -> dict[str, int]:
    from shequ.appeals import services as appeals  # noqa: PLC0415
    from shequ.appeals.models import Category  # noqa: PLC0415
    from shequ.directory.models import Party, Place  # noqa: PLC0415
    from shequ.meetings import action_items as meeting_items  # noqa: PLC0415
    from shequ.meetings import services as meetings  # noqa: PLC0415
    from shequ.projects import services as projects  # noqa: PLC0415
    from shequ.projects.models import Source  # noqa: PLC0415
    from shequ.stations import services as stations  # noqa: PLC0415
    from shequ.stations.models import Skill  # noqa: PLC0415

    now = clock.now()
    users = {u.phone: u for u in User.objects.all()}
    parties = {p.code: p for p in Party.objects.filter(code__startswith="demo-")}
    places = {p.code: p for p in Place.objects.filter(code__startswith="demo-")}
    heating, dispute = Category.objects.get(code="heating"), Category.objects.get(code="neighbour-dispute")

    def at(days_ago: float):
        return clock.frozen(now - timedelta(days=days_ago))

    director = users["13900000004"]  # 何静怡, 环物会主任
    env, company = parties["demo-sigma-env"], parties["demo-pm09"]
    made = {"meetings": 0, "projects": 0, "needs": 0, "courses": 0}

    # ---------------------------------------------------------------- the heating meeting
    with at(12):
        appeal = appeals.appeal_create(
            reporter=users["13900000036"],
            kind="complaint",
            category=heating,
            place=users["13900000036"].residencies.get().household,
            text="入冬以来1号楼、2号楼暖气都不热，屋里只有十四五度，楼里老人受不了。",
        )
    with at(11.9):
        appeals.appeal_transition(appeal=appeal, actor=users["13900000051"], action="accept")
    with at(10):
        meeting = meetings.meeting_create(
            actor=director,
            convener=env,
            place=places["demo-bshxy"],
            topic="北四环西院暖气不热协调会",
            starts_at=now - timedelta(days=8, hours=-2),
            ends_at=now - timedelta(days=8, hours=-4),
            location="希格玛社区党群服务中心二层会议室",
            invitees=[company, parties["demo-police-zgc"], parties["demo-sigma-party"]],
            appeals=[appeal],
        )
        for inv in meeting.invitations.select_related("party"):
            staff = inv.party.memberships.filter(role__in=["head", "manager", "police_officer"]).first()
            if staff is not None:
                meetings.invitation_answer(invitation=inv, actor=staff.user, answer="attend")
    with at(8 - 2 / 24):
        meetings.attendance_take(
            meeting=meeting,
            actor=director,
            present=[
                meetings.AttendeeIn(name="何静怡", party=env),
                meetings.AttendeeIn(name="方国庆", party=company),
                meetings.AttendeeIn(name="韩立军", party=parties["demo-police-zgc"]),
                meetings.AttendeeIn(name="魏秀英", for_label="北四环西院业主代表（环物会委员）"),
                meetings.AttendeeIn(name="刘桂兰", for_label="2号楼居民代表"),
            ],
        )
        meetings.minutes_write(
            meeting=meeting,
            actor=director,
            minutes="2号楼自入冬以来室温14–15℃。物业说明：二次管网积气、主阀门老化。"
            "与会各方同意先排气检修，再更换主阀门；费用由物业先行承担，社区协调供暖公司配合。",
        )
        first = meetings.decision_add(
            meeting=meeting, actor=director, text="物业三天内对2号楼逐户排气、检查管网。"
        )
        second = meetings.decision_add(
            meeting=meeting, actor=director, text="一周内更换2号楼供暖主阀门，供暖公司派员配合。"
        )
        done = meetings.action_item_create(
            meeting=meeting,
            actor=director,
            description="2号楼逐户排气、检查二次管网",
            responsible_party=company,
            due_at=now - timedelta(days=5),
            decision=first,
        )
        meetings.action_item_create(
            meeting=meeting,
            actor=director,
            description="更换2号楼供暖主阀门",
            responsible_party=company,
            due_at=now - timedelta(days=1),
            decision=second,
        )
        meetings.meeting_transition(meeting=meeting, actor=director, action="close")
    with at(6):
        meeting_items.action_item_transition(
            item=done, actor=users["13900000051"], action="complete", text="已逐户排气，室温回升到18℃。"
        )
    for days_ago in (2, 0.9, 0.01):  # the reminder, then overdue and escalated (once) to the 环物会
        with at(days_ago):
            meeting_items.sweep_action_items(now=clock.now())
    made["meetings"] += 1

    # ---------------------------------------------------------------- the station, 招宝山-style
    station = parties["demo-sigma-aid"]
    with at(40):
        for phone, skills, when in (
            ("13900000064", [Skill.REPAIR, Skill.PATROL], "每天上午"),
            ("13800000002", [Skill.MEDIATION, Skill.CARE], "工作日晚上、周末"),
            ("13900000036", [Skill.MEDIATION, Skill.ENVIRONMENT], "周末"),
        ):
            stations.volunteer_join(user=users[phone], station=station, skills=skills, availability=when)
    with at(39):
        branch = stations.branch_create(
            actor=users["13900000001"],
            party_org=parties["demo-sigma-party"],
            place=places["demo-zcdl"],
            name="知春东里党支部",
            secretary_name="冯桂芝",
        )
        stations.party_member_record(actor=users["13900000001"], branch=branch, user=users["13800000002"])
        stations.party_member_record(actor=users["13900000001"], branch=branch, user=users["13900000021"])

    def need(phone: str, days_ago: float, text: str):
        with at(days_ago):
            return appeals.appeal_create(
                reporter=users[phone],
                kind="help",
                category=dispute,
                place=users[phone].residencies.get().household,
                text=text,
            )

    solved = [
        (
            need("13900000021", 20, "楼上装修天天到晚上十点还在砸墙，想请人帮忙调解。"),
            "13800000002",
            90,
            "上门调解，约定晚八点后不施工。",
        ),
        (
            need("13900000024", 15, "楼上卫生间漏水到我家天花板，楼上说不是他家的问题。"),
            "13900000064",
            120,
            "查明是楼上地漏渗水，协调楼上维修并赔偿粉刷费。",
        ),
    ]
    for appeal_row, phone, minutes, text in solved:
        with at(14 if phone == "13900000064" else 19):
            stations.need_take(appeal=appeal_row, user=users[phone])
            stations.hours_log(appeal=appeal_row, user=users[phone], minutes=minutes, note=text[:30])
            stations.need_resolve(appeal=appeal_row, user=users[phone], text=text)
        with at(12):
            appeals.appeal_transition(
                appeal=appeal_row, actor=appeal_row.reporter, action="rate", solved=True, rating="satisfied"
            )
    escalated = need("13900000023", 9, "邻居家的狗每天夜里叫，沟通几次都没用。")
    with at(7):
        appeals.appeal_transition(
            appeal=escalated, actor=None, action="escalate", reason="超过办结时限仍未办结，系统自动升级。"
        )
    transferred = need("13900000022", 6, "地下车位被别人长期占用，物业说管不了。")
    with at(5.5):
        appeals.appeal_transition(
            appeal=transferred,
            actor=users["13900000003"],
            action="redispatch",
            to_party=parties["demo-sigma-rc"].pk,
            reason="车位权属纠纷，由居委会协调物业和业委会。",
        )
    need("13900000032", 0.3, "楼道里邻居堆了很多纸箱，怕着火。")
    made["needs"] = 5

    # ---------------------------------------------------------------- the volunteer course
    leader = users["13900000091"]
    with at(21):
        course = stations.course_create(
            actor=leader,
            provider=parties["demo-zgc-office"],
            place=places["demo-sigma"],
            title="互助站志愿者培训：矛盾调解与入户服务",
            description="街道社区服务中心主讲，两次课：调解方法与沟通；入户服务安全与隐私保护。",
            capacity=3,
            sessions=[
                (now - timedelta(days=14, hours=-9), now - timedelta(days=14, hours=-11), "调解方法与沟通"),
                (
                    now - timedelta(days=7, hours=-9),
                    now - timedelta(days=7, hours=-11),
                    "入户服务安全与隐私保护",
                ),
            ],
        )
        for phone in ("13800000002", "13900000064", "13900000036", "13900000063"):
            stations.enrol(course=course, user=users[phone])
    sessions = list(course.sessions.all())
    with at(6):
        stations.session_attendance_record(
            session=sessions[0],
            actor=leader,
            user_ids=[users[p].pk for p in ("13800000002", "13900000064", "13900000036")],
        )
        stations.session_attendance_record(
            session=sessions[1], actor=leader, user_ids=[users[p].pk for p in ("13800000002", "13900000064")]
        )
    made["courses"] = 1

    # ---------------------------------------------------------------- the bike-shed micro-project
    with at(60):
        shed = projects.project_create(
            actor=director,
            party=env,
            place=places["demo-sigma"],
            title="星规路智能车棚改造",
            budget="86000.00",
            description="把露天停车点改造成带顶棚、刷卡进出和充电口的智能车棚，解决电动车飞线充电的安全隐患。",
        )
        pledges = [
            (Source.GOVERNMENT, "中关村街道办事处", "40000.00"),
            (Source.COLLECTIVE, "希格玛社区公益金", "16000.00"),
            (Source.SOCIAL, "星规科技有限公司（共建单位）", "20000.00"),
            (Source.RESIDENTS, "星规家园等小区居民众筹（126户）", "10000.00"),
        ]
        rows = [
            projects.funding_pledge(project=shed, actor=director, source=s, payer_name=n, amount=a)
            for s, n, a in pledges
        ]
    with at(55):
        projects.project_transition(project=shed, actor=leader, action="approve")
    with at(50):
        for i, row in enumerate(rows):
            receipt = (
                _pdf(f"receipt-{i}.pdf") if i % 2 == 0 else _png(f"receipt-{i}.png", (30, 90, 160), "RECEIPT")
            )
            projects.funding_receive(funding=row, actor=director, receipt=receipt)
        projects.project_transition(project=shed, actor=director, action="start")
        projects.milestone_add(project=shed, actor=director, title="方案公示、选定施工单位", progress=10)
    _project_record(
        shed,
        director,
        now,
        [
            (
                40,
                _Spend(
                    Source.GOVERNMENT,
                    "38600.00",
                    "北京安居车棚工程有限公司",
                    "钢结构顶棚及地面硬化",
                    _pdf("pay-1.pdf"),
                ),
            ),
            (40, _Milestone("顶棚和地面完工", 60, _png("shed-1.png", (120, 140, 90), "SHED 60%"))),
            (
                30,
                _Spend(
                    Source.SOCIAL,
                    "19800.00",
                    "星规智能科技",
                    "门禁刷卡系统和24个充电口",
                    _png("pay-2.png", (160, 60, 40), "INVOICE"),
                ),
            ),
            (
                30,
                _Spend(
                    Source.COLLECTIVE,
                    "12400.00",
                    "北京安居车棚工程有限公司",
                    "照明、监控和消防器材",
                    _pdf("pay-3.pdf"),
                ),
            ),
            (
                30,
                _Spend(
                    Source.RESIDENTS, "6500.00", "希格玛社区居委会", "标识牌和首年电费", _pdf("pay-4.pdf")
                ),
            ),
            (
                30,
                _Milestone(
                    "门禁、充电口安装调试，投入使用", 100, _png("shed-2.png", (40, 120, 160), "SHED DONE")
                ),
            ),
        ],
    )
    with at(28):
        projects.project_transition(project=shed, actor=leader, action="finish")
    made["projects"] = 1
    return made
