"""Writes of elections: create, appoint, nominate, publicise candidates, open (fix the roll), close.

Ballots (the only writes of the ballot box) are in `elections.voting`; the count in `elections.tally`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shequ.accounts.models import Residency
from shequ.accounts.selectors import user_roles
from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.decisions.roll import owner_roll, units_in
from shequ.decisions.rules import ORGANISER_KINDS, check_organiser
from shequ.directory.models import Party, PartyKind, Place, PlaceKind
from shequ.elections.models import (
    AppointedMember,
    AppointedRole,
    BoxBallot,
    Candidate,
    Election,
    ElectionEvent,
    ElectionKind,
    ElectionStatus,
    Electorate,
    Method,
    NominationRoute,
    RollEntry,
)
from shequ.elections.tally import election_result
from shequ.notifications.services import notify

CANDIDATE_PUBLICITY_DAYS = 7
WINDOW_MIN_DAYS = 1
WINDOW_MAX_DAYS = 60
# The 环物会: 1 director from the residents' committee, 2 community police as vice-directors, 6 elected owners.
ENV_COMMITTEE_SEATS = 6
ENV_COMMITTEE_APPOINTED = {AppointedRole.DIRECTOR: 1, AppointedRole.VICE_DIRECTOR: 2}

ALLOWED = {
    ElectionStatus.NOMINATION: {ElectionStatus.PUBLICITY, ElectionStatus.CANCELLED},
    ElectionStatus.PUBLICITY: {ElectionStatus.VOTING, ElectionStatus.CANCELLED},
    ElectionStatus.VOTING: {ElectionStatus.CLOSED},
    ElectionStatus.CLOSED: set(),
    ElectionStatus.CANCELLED: set(),
}


def election_url(election: Election) -> str:
    return reverse("elections:detail", args=[election.pk])


def _event(election: Election, kind: str, actor, reason: str = "", **data) -> ElectionEvent:
    return ElectionEvent.objects.create(election=election, kind=kind, actor=actor, reason=reason, data=data)


def _transition(
    *, election: Election, to: str, actor, kind: str, fields: dict | None = None, reason: str = "", **data
) -> Election:
    locked = Election.objects.select_for_update().get(pk=election.pk)
    if to not in ALLOWED[ElectionStatus(locked.status)]:
        raise Conflict(
            f"当前状态（{locked.get_status_display()}）不能进行此操作。",
            f"Not allowed while the election is {locked.status}.",
            code="invalid_transition",
        )
    previous = locked.status
    locked.status = to
    changed = ["status", "updated_at"]
    for name, value in (fields or {}).items():
        setattr(locked, name, value)
        changed.append(name)
    locked.save(update_fields=changed)
    _event(locked, kind, actor, reason, previous=previous, status=to, **data)
    return locked


def method_for(kind: str) -> str:
    """The one rule for how an election counts: electing the owners' committee is art. 278 item 3 — the area
    and headcount double majority on named ballots; everything else is a secret ballot counted by heads."""
    return Method.OWNERS_278 if kind == ElectionKind.OWNERS_COMMITTEE else Method.SECRET


def election_create(
    *,
    actor,
    organiser: Party,
    place: Place,
    kind: str,
    electorate: str,
    title: str,
    description: str = "",
    seats: int,
    max_choices: int | None = None,
    alternates: int = 0,
    min_nominators: int = 5,
) -> Election:
    if organiser.kind not in ORGANISER_KINDS:
        raise Forbidden("该单位不能组织选举。", "This party cannot organise elections.", code="not_organiser")
    check_organiser(user=actor, party=organiser, place=place)
    errors = {}
    if kind not in ElectionKind.values:
        errors["kind"] = "类型无效"
    if electorate not in Electorate.values:
        errors["electorate"] = "选民范围无效"
    if place.kind not in (PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING):
        errors["place"] = "选举范围应为社区、小区或楼栋"
    if not (title or "").strip():
        errors["title"] = "请填写标题"
    max_choices = max_choices or seats
    if seats < 1 or not 1 <= max_choices <= seats:
        errors["max_choices"] = "每票可选人数应在1至应选名额之间"
    if kind == ElectionKind.OWNERS_COMMITTEE and (
        electorate != Electorate.OWNERS or place.kind != PlaceKind.COMPOUND
    ):
        errors["electorate"] = "业主委员会由本小区全体业主选举（选民为业主名册，范围为小区）"
    if kind == ElectionKind.ENV_COMMITTEE and seats != ENV_COMMITTEE_SEATS:
        errors["seats"] = "环物会由6名业主委员经选举产生（另有主任1名、副主任2名由居委会和社区民警担任）"
    if alternates < 0 or alternates > 20 or min_nominators < 1:
        errors["alternates"] = "候补人数或联名人数无效"
    if errors:
        raise Invalid("选举设置有误。", "The election settings are invalid.", fields=errors)
    with transaction.atomic():
        election = Election.objects.create(
            organiser=organiser,
            place=place,
            kind=kind,
            electorate=electorate,
            method=method_for(kind),
            title=title.strip(),
            description=(description or "").strip(),
            seats=seats,
            max_choices=max_choices,
            alternates=alternates,
            min_nominators=min_nominators,
            created_by=actor,
        )
        _event(election, "created", actor, seats=seats, max_choices=max_choices, method=election.method)
    return election


def appointed_add(*, actor, election: Election, role: str, name: str, party: Party) -> AppointedMember:
    """Record an appointed member (director / vice-director) of the committee being formed."""
    check_organiser(user=actor, party=election.organiser)
    if election.status in (ElectionStatus.CLOSED, ElectionStatus.CANCELLED):
        raise Conflict("选举已结束。", "The election is over.", code="invalid_transition")
    if role not in AppointedRole.values or not (name or "").strip():
        raise Invalid("请填写职务和姓名。", "Give the role and the name.")
    if election.kind == ElectionKind.ENV_COMMITTEE:
        wanted = {
            AppointedRole.DIRECTOR: PartyKind.RESIDENTS_COMMITTEE,
            AppointedRole.VICE_DIRECTOR: PartyKind.POLICE_STATION,
        }
        if role not in wanted or party.kind != wanted[AppointedRole(role)]:
            raise Invalid(
                "环物会主任由居委会成员担任，两名副主任由社区民警担任。",
                "The 环物会 director comes from the residents' committee, the two vice-directors are community police.",
                code="composition",
            )
        if election.appointed.filter(role=role).count() >= ENV_COMMITTEE_APPOINTED[AppointedRole(role)]:
            raise Conflict("该职务已满。", "That post is already filled.", code="composition")
    member = AppointedMember.objects.create(election=election, role=role, name=name.strip(), party=party)
    _event(election, "appointed", actor, role=role, name=member.name, party=party.pk)
    return member


def _resident_in(user, place: Place) -> list[Residency]:
    roles = user_roles(user=user)
    return [
        r
        for r in roles.residencies
        if r.status == Residency.Status.VERIFIED and place.pk in r.household.ancestor_ids()
    ]


def candidate_nominate(
    *,
    actor,
    election: Election,
    route: str,
    statement: str,
    name: str = "",
    building: Place | None = None,
    nominators: str = "",
    user=None,
) -> Candidate:
    """Self-nomination by a verified resident of the place; by owners (at least `min_nominators` names); or by
    the community party organisation or residents' committee (their staff)."""
    if election.status != ElectionStatus.NOMINATION:
        raise Conflict("提名已经截止。", "Nominations are closed.", code="nominations_closed")
    statement = (statement or "").strip()
    if not statement:
        raise Invalid(
            "请填写候选人陈述。", "A candidate statement is required.", fields={"statement": "必填"}
        )
    if route == NominationRoute.SELF:
        homes = _resident_in(actor, election.place)
        if not homes:
            raise Forbidden(
                "只有本范围已认证的居民可以自荐。",
                "Only verified residents here may stand.",
                code="not_resident",
            )
        if election.electorate == Electorate.OWNERS and not any(
            r.relation == Residency.Relation.OWNER for r in homes
        ):
            raise Forbidden("只有业主可以自荐。", "Only owners may stand.", code="not_owner")
        user, name, building = actor, actor.real_name, homes[0].household.building
    elif route == NominationRoute.OWNERS:
        names = [n for n in (nominators or "").replace("，", ",").replace("、", ",").split(",") if n.strip()]
        if len(set(n.strip() for n in names)) < election.min_nominators:
            raise Invalid(
                f"业主联名推荐至少需要{election.min_nominators}名业主。",
                f"Nomination by owners needs at least {election.min_nominators} owners.",
                fields={"nominators": "人数不足"},
            )
        if not _resident_in(actor, election.place):
            raise Forbidden(
                "只有本范围的居民可以提交联名推荐。",
                "Only residents here may submit it.",
                code="not_resident",
            )
    elif route in (NominationRoute.PARTY_ORG, NominationRoute.RESIDENTS_COMMITTEE):
        kind = PartyKind.PARTY_ORG if route == NominationRoute.PARTY_ORG else PartyKind.RESIDENTS_COMMITTEE
        roles = user_roles(user=actor)
        if not any(m.party.kind == kind and m.party_id in roles.party_ids for m in roles.memberships):
            raise Forbidden(
                "只有该组织的工作人员可以推荐。",
                "Only that organisation's staff may nominate.",
                code="not_organiser",
            )
    else:
        raise Invalid("提名方式无效。", "Unknown nomination route.", fields={"route": "无效"})
    name = (name or "").strip()
    if not name:
        raise Invalid("请填写候选人姓名。", "Name the candidate.", fields={"name": "必填"})
    if building is not None and building.kind != PlaceKind.BUILDING:
        raise Invalid("所在楼栋无效。", "Invalid building.", fields={"building": "无效"})
    if Candidate.objects.filter(election=election, name=name, building=building).exists():
        raise Conflict(
            "这位候选人已经被提名。", "This candidate is already nominated.", code="duplicate_candidate"
        )
    candidate = Candidate.objects.create(
        election=election,
        name=name[:50],
        user=user,
        building=building,
        route=route,
        nominators=nominators.strip(),
        statement=statement,
        nominated_by=actor,
    )
    _event(election, "nominated", actor, candidate=candidate.pk, route=route)
    return candidate


def _post(*, actor, election: Election, title: str, body: str):
    from shequ.decisions.services import BOARD_CHANNEL  # noqa: PLC0415 — the same boards as owners' decisions
    from shequ.notices.services import notice_create  # noqa: PLC0415

    channel = BOARD_CHANNEL[PartyKind(election.organiser.kind)]
    place = election.place
    return notice_create(
        author=actor, party=election.organiser, channel=channel, place=place, title=title, body=body
    )


def election_publicise(*, actor, election: Election, opens_at: datetime, closes_at: datetime) -> Election:
    """Close nominations and publicise the candidates with their statements for at least 7 days."""
    check_organiser(user=actor, party=election.organiser)
    now = clock.now()
    candidates = list(election.candidates.filter(withdrawn=False).select_related("building"))
    if len(candidates) < election.seats:
        raise Conflict(
            f"候选人（{len(candidates)}人）少于应选名额（{election.seats}人）。",
            "Fewer candidates than seats.",
            code="too_few_candidates",
        )
    if election.kind == ElectionKind.ENV_COMMITTEE:
        have = {r: election.appointed.filter(role=r).count() for r in ENV_COMMITTEE_APPOINTED}
        if have != ENV_COMMITTEE_APPOINTED:
            raise Conflict(
                "请先登记环物会主任（居委会成员1名）和副主任（社区民警2名）。",
                "Record the appointed director and the two vice-directors first.",
                code="composition",
            )
    if opens_at < now + timedelta(days=CANDIDATE_PUBLICITY_DAYS):
        raise Invalid(
            f"候选人须公示至少{CANDIDATE_PUBLICITY_DAYS}天。",
            f"Candidates must be publicised for at least {CANDIDATE_PUBLICITY_DAYS} days.",
            code="publicity_too_short",
        )
    if not timedelta(days=WINDOW_MIN_DAYS) <= closes_at - opens_at <= timedelta(days=WINDOW_MAX_DAYS):
        raise Invalid(
            "投票期限须在1至60天之间。", "The voting window must be 1 to 60 days.", code="window_invalid"
        )
    with transaction.atomic():
        election = _transition(
            election=election,
            to=ElectionStatus.PUBLICITY,
            actor=actor,
            kind="publicised",
            fields={"publicity_at": now, "opens_at": opens_at, "closes_at": closes_at},
        )
        lines = [
            f"{c.name}（{c.building.name if c.building else ''} · {c.get_route_display()}）：{c.statement}"
            for c in candidates
        ]
        local = timezone.localtime
        _post(
            actor=actor,
            election=election,
            title=f"【候选人公示】{election.title}",
            body=(
                f"应选 {election.seats} 名，每票最多选 {election.max_choices} 名。"
                f"投票时间：{local(opens_at):%Y-%m-%d %H:%M} 至 {local(closes_at):%Y-%m-%d %H:%M}。\n\n"
                + "\n".join(lines)
                + f"\n\n详情：{election_url(election)}"
            ),
        )
    return election


def representative_add(*, actor, election: Election, user) -> RollEntry:
    """For an election by residents' representatives: put a verified resident of the place on the roll."""
    check_organiser(user=actor, party=election.organiser)
    if election.electorate != Electorate.REPRESENTATIVES or election.status not in (
        ElectionStatus.NOMINATION,
        ElectionStatus.PUBLICITY,
    ):
        raise Conflict("现在不能调整代表名册。", "The roll cannot change now.", code="invalid_transition")
    homes = _resident_in(user, election.place)
    if not homes:
        raise Invalid(
            "居民代表须是本范围已认证的居民。", "A representative must be a verified resident here."
        )
    entry, _created = RollEntry.objects.get_or_create(
        election=election,
        user=user,
        defaults={
            "name": user.real_name,
            "building": building.name if (building := homes[0].household.building) is not None else "",
        },
    )
    _event(election, "representative_added", actor, user=user.pk)
    return entry


def representative_remove(*, actor, election: Election, entry_id: int) -> None:
    """Take a residents' representative off the roll (before voting opens); recorded as an event."""
    check_organiser(user=actor, party=election.organiser)
    if election.electorate != Electorate.REPRESENTATIVES or election.status not in (
        ElectionStatus.NOMINATION,
        ElectionStatus.PUBLICITY,
    ):
        raise Conflict("现在不能调整代表名册。", "The roll cannot change now.", code="invalid_transition")
    entry = RollEntry.objects.filter(pk=entry_id, election=election).first()
    if entry is None:
        raise Invalid("名册上没有这位代表。", "No such representative on the roll.", code="not_on_roll")
    with transaction.atomic():
        entry.delete()
        _event(election, "representative_removed", actor, user=entry.user_id, name=entry.name)


def election_open(*, actor, election: Election) -> Election:
    """Open voting: for an owners' election fix the roll from the register (`decisions.roll.owner_roll`: one
    entry per owner, with all their units and area; owners without an account vote on paper,
    `voting.election_enter_paper`)."""
    check_organiser(user=actor, party=election.organiser)
    if election.opens_at and clock.now() < election.opens_at:
        raise Conflict(
            "候选人公示期还没有结束。", "The candidates' publicity has not ended.", code="too_early"
        )
    with transaction.atomic():
        if election.electorate == Electorate.OWNERS:
            voters = owner_roll(units_in(election.place))
            RollEntry.objects.bulk_create(
                [
                    RollEntry(
                        election=election,
                        user_id=v.user_id,
                        owner_id=v.owner_id,
                        name=v.name,
                        building=v.building,
                        area=v.area,
                        units=[[u.label, str(u.area)] for u in v.units],
                        is_developer=v.is_developer,
                    )
                    for v in voters.values()
                ],
                batch_size=1000,
            )
        if not RollEntry.objects.filter(election=election).exists():
            raise Conflict("选民名册是空的。", "The roll is empty.", code="roll_empty")
        election = _transition(
            election=election,
            to=ElectionStatus.VOTING,
            actor=actor,
            kind="opened",
            voters=election.roll.count(),
        )
        notify(
            recipients=list(election.roll.exclude(user=None).values_list("user_id", flat=True)),
            verb="election.opened",
            title=f"选举开始投票：{election.title}",
            url=election_url(election),
            key=f"election.opened:{election.pk}",
        )
    return election


def election_close(*, actor, election: Election) -> Election:
    """Close at the end of the window (or early when everyone on the roll voted), count, publish the box and
    post the result."""
    check_organiser(user=actor, party=election.organiser)
    if election.status != ElectionStatus.VOTING:
        raise Conflict(
            "只有投票中的选举可以结束。", "Only an open election can be closed.", code="invalid_transition"
        )
    everyone = not election.roll.filter(voted=False).exists()
    if election.closes_at and clock.now() < election.closes_at and not everyone:
        raise Conflict("投票期限未到，不能提前结束。", "The voting window has not ended.", code="too_early")
    with transaction.atomic():
        result = election_result(election=election)
        result["ballots"] = (
            election.named_ballots.count()
            if election.is_named
            else BoxBallot.objects.filter(election=election).count()
        )
        result["voters"] = election.roll.count()
        result["voted"] = election.roll.filter(voted=True).count()
        election = _transition(
            election=election,
            to=ElectionStatus.CLOSED,
            actor=actor,
            kind="closed",
            fields={"closed_at": clock.now(), "result": result},
        )
        notice = _post(
            actor=actor,
            election=election,
            title=f"【选举结果公示】{election.title}",
            body=result_text(election),
        )
        election.notice_id = notice.pk
        election.save(update_fields=["notice_id"])
    return election


def result_text(election: Election) -> str:
    """The posted result, from the stored result (the same figures the page and the export show)."""
    r = election.result
    names = dict(election.candidates.values_list("pk", "name"))
    elected = "、".join(names[c] for c in r["elected"]) or "无"
    tied = (
        f"得票相同需另行选举：{'、'.join(names[c] for c in r['tied'])}（{r['open_seats']} 个名额）\n"
        if r["tied"]
        else ""
    )
    alternates = f"候补：{'、'.join(names[c] for _r, c in r['alternates'])}\n" if r["alternates"] else ""
    if r.get("method") == Method.OWNERS_278:
        lines = [
            f"{names[int(cid)]}：同意 {c['agree_owners']} 人、{c['agree_area']} 平方米"
            f"（{'过半数，通过' if c['passed'] else '未达到面积和人数均过半数'}）"
            for cid, c in r["candidates"].items()
        ]
        head = (
            f"应选 {election.seats} 名。业主 {r['total_owners']} 人，专有部分面积 {r['total_area']} 平方米；"
            f"参与投票 {r['voted_owners']} 人、{r['voted_area']} 平方米"
            f"（{'达到' if r['quorum'] else '未达到'}人数和面积均三分之二）。\n"
            "规则：候选人须经参与投票的专有部分面积过半数且人数过半数的业主同意，按同意人数依次当选。\n"
        )
        tail = f"\n\n本小区业主可查看记名选票清单：{election_url(election)}"
    else:
        lines = [f"{names[cid]}：{score} 票" for _rank, cid, score in r["ranking"]]
        head = (
            f"应选 {election.seats} 名；选民 {r['voters']} 人，投票 {r['voted']} 人，"
            f"有效票 {r['ballots']} 张。\n"
        )
        tail = f"\n\n投票箱已公开，任何人可按回执码核对并重新计票：{election_url(election)}"
    return head + f"当选：{elected}\n" + tied + alternates + "\n".join(lines) + tail
