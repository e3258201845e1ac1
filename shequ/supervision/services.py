"""Writes of supervision: whistles and summonses (吹哨报到) and the sweep that closes whistles and
tells departments late to report in. The work order's lifecycle — escalation, callbacks (回访),
helper companies (大手拉小手, the `assign_helper` transition) — is `shequ.appeals`.

Appeal status changes go through `shequ.appeals.services.appeal_transition`; timeline lines without a
status change through `appeal_event_add`. Every sweep claims each step with a conditional UPDATE (or a
unique insert) in the same transaction as the service call, so a worker killed mid-batch leaves the
step for the next pass and two workers never process one step twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.urls import reverse

from shequ.accounts.selectors import user_roles
from shequ.appeals.access import acting_party_ids
from shequ.appeals.models import Appeal, EventKind, Status
from shequ.appeals.services import appeal_event_add
from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid, NotFound
from shequ.directory.models import ACTING_ROLES, Membership, Party, PartyKind, PartyPlace
from shequ.directory.selectors import Nearest, parties_nearest
from shequ.notifications.services import notify
from shequ.supervision import policies
from shequ.supervision.models import Summons, Whistle, WhistleKind

log = logging.getLogger("shequ.supervision")

WHISTLE_KINDS = (PartyKind.PARTY_ORG, PartyKind.RESIDENTS_COMMITTEE, PartyKind.STREET_OFFICE)
SUMMONABLE_KINDS = (PartyKind.DEPARTMENT, PartyKind.POLICE_STATION)
CLOSED_STATUSES = (Status.RESOLVED, Status.CLOSED, Status.MERGED)
MAX_DEPARTMENTS = 10


def _appeal_url(appeal_id: int) -> str:
    try:
        return reverse("appeals:detail", args=[appeal_id])
    except Exception:
        return f"/appeals/{appeal_id}/"


def _members(party_ids: Iterable[int | None]) -> set[int]:
    ids = {p for p in party_ids if p}
    if not ids:
        return set()
    return set(
        Membership.objects.filter(party_id__in=ids, is_active=True, role__in=ACTING_ROLES).values_list(
            "user_id", flat=True
        )
    )


def _acting_party_of_kinds(*, actor, appeal: Appeal, kinds: Iterable[str]) -> Party | None:
    """The party of one of `kinds` the actor acts for and that serves the appeal's place (or reached it)."""
    roles = user_roles(user=actor)
    acting = acting_party_ids(roles)
    candidates = [m.party for m in roles.memberships if m.party_id in acting and m.party.kind in kinds]
    if not candidates:
        return None
    for party in candidates:
        if party.pk in (appeal.escalated_to_id, appeal.dispatcher_id, appeal.responsible_party_id):
            return party
    hit = set(
        PartyPlace.objects.filter(party__in=candidates, place_id__in=appeal.place.ancestor_ids()).values_list(
            "party_id", flat=True
        )
    )
    return next((p for p in candidates if p.pk in hit), None)


def _text(value: str | None, *, name: str, zh: str, en: str, required: bool = True, limit: int = 2000) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Invalid(zh, en, code=f"{name}_required", fields={name: "required"})
    if len(text) > limit:
        raise Invalid(
            "内容太长（最多2000字）。",
            "Too long (at most 2000 characters).",
            code="text_too_long",
            fields={name: "too long"},
        )
    return text


# ---------------------------------------------------------------- whistle (吹哨) and report-in (报到)


def whistle_blow(*, appeal: Appeal, actor, kind: str, departments: Iterable, reason: str) -> Whistle:
    """The party organisation, residents' committee or street office summons departments to an appeal."""
    if kind not in WhistleKind.values:
        raise Invalid(
            "请选择吹哨类型：常规、疑难或应急。",
            "Choose routine, tough or emergency.",
            code="whistle_kind_invalid",
            fields={"kind": "invalid"},
        )
    reason = _text(reason, name="reason", zh="请写明吹哨事由。", en="Give the reason for the whistle.")
    party = _acting_party_of_kinds(actor=actor, appeal=appeal, kinds=WHISTLE_KINDS)
    if party is None:
        raise Forbidden(
            "只有社区党组织、居委会或街道可以吹哨。",
            "Only the party organisation, residents' committee or street office may blow the whistle.",
            code="whistle_forbidden",
        )
    if appeal.status not in {
        Status.SUBMITTED,
        Status.DISPATCHED,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.PAUSED,
    }:
        raise Conflict("诉求已办结，不能再吹哨。", "The appeal is no longer open.", code="appeal_not_open")
    dept_ids = []
    for d in departments:
        try:
            dept_ids.append(int(getattr(d, "pk", d)))
        except (TypeError, ValueError):
            raise Invalid(
                "请选择要召集的部门。",
                "Choose the departments to summon.",
                code="departments_invalid",
                fields={"departments": "invalid"},
            )
    dept_ids = list(dict.fromkeys(dept_ids))
    offered = {p.pk: p for p in whistle_department_choices(appeal=appeal).all}
    stray = [pk for pk in dept_ids if pk not in offered]
    if stray and Party.objects.filter(pk__in=stray, kind__in=SUMMONABLE_KINDS, is_active=True).exists():
        raise Invalid(
            "所选部门不负责这条诉求所在的街道。",
            "A department chosen does not serve this appeal's street.",
            code="department_other_street",
            fields={"departments": "other street"},
        )
    depts = [offered[pk] for pk in dept_ids if pk in offered]
    if not dept_ids or len(depts) != len(dept_ids) or len(depts) > MAX_DEPARTMENTS:
        raise Invalid(
            "请选择一至十个职能部门。",
            "Choose one to ten departments.",
            code="departments_invalid",
            fields={"departments": "invalid"},
        )
    depts.sort(key=lambda p: dept_ids.index(p.pk))
    now = clock.now()
    due = policies.whistle_due(kind=kind, start=now)
    with transaction.atomic():
        locked = Appeal.objects.select_for_update(of=("self",)).filter(pk=appeal.pk).first()
        if locked is None:
            raise NotFound("没有找到这条诉求。", "Appeal not found.")
        busy = set(
            Summons.objects.filter(
                whistle__appeal=locked, whistle__closed_at__isnull=True, department__in=depts
            ).values_list("department_id", flat=True)
        )
        if busy:
            raise Conflict(
                "所选部门已被召集，尚未结束。",
                "A department chosen is already summoned to this appeal.",
                code="already_summoned",
                fields={"departments": "already summoned"},
            )
        whistle = Whistle.objects.create(
            appeal=locked, kind=kind, party=party, blown_by=actor, reason=reason, blown_at=now
        )
        Summons.objects.bulk_create([Summons(whistle=whistle, department=d, due_at=due) for d in depts])
        appeal_event_add(
            appeal=locked,
            actor=actor,
            kind=EventKind.WHISTLE_BLOWN,
            party=party,
            text=reason,
            is_public=True,
            data={
                "whistle": whistle.pk,
                "kind": kind,
                "departments": [d.pk for d in depts],
                "department_names": [d.name for d in depts],
                "due_at": due.isoformat(),
            },
        )
        notify(
            recipients=_members([d.pk for d in depts]),
            verb="appeal.whistle_blown",
            title=f"社区吹哨，请按时报到：{locked.number}",
            body=reason[:300],
            url=_summons_url(),
            key=f"whistle-{whistle.pk}",
        )
    return whistle


def _summons_url() -> str:
    try:
        return reverse("supervision:summonses")
    except Exception:
        return "/supervision/summonses"


def _summons_for_actor(*, summons_id: int, actor) -> Summons:
    summons = (
        Summons.objects.select_related("whistle", "whistle__appeal", "department")
        .filter(pk=summons_id)
        .first()
    )
    if summons is None:
        raise NotFound("没有找到这次召集。", "Summons not found.")
    if summons.department_id not in user_roles(user=actor).party_ids:
        raise Forbidden(
            "只有被召集部门的工作人员可以报到。",
            "Only staff of the summoned department may report.",
            code="summons_forbidden",
        )
    return summons


def summons_report_in(*, summons_id: int, actor, text: str = "") -> Summons:
    """A summoned department reports in (报到). The time is public: who came, and how fast."""
    summons = _summons_for_actor(summons_id=summons_id, actor=actor)
    text = _text(text, name="text", zh="", en="", required=False, limit=500)
    with transaction.atomic():
        now = clock.now()
        won = Summons.objects.filter(pk=summons.pk, reported_in_at__isnull=True).update(
            reported_in_at=now, reported_in_by=actor
        )
        if not won:
            raise Conflict("已经报到过了。", "Already reported in.", code="already_reported_in")
        summons.reported_in_at, summons.reported_in_by = now, actor
        minutes = int((now - summons.whistle.blown_at).total_seconds() // 60)
        appeal_event_add(
            appeal=summons.whistle.appeal,
            actor=actor,
            kind=EventKind.REPORTED_IN,
            party=summons.department,
            text=text,
            is_public=True,
            data={
                "whistle": summons.whistle_id,
                "summons": summons.pk,
                "minutes": minutes,
                "on_time": now <= summons.due_at,
                "department_name": summons.department.name,
            },
        )
    return summons


def summons_report_back(*, summons_id: int, actor, text: str) -> Summons:
    """The department says what it did (反馈). Reporting back implies having reported in."""
    summons = _summons_for_actor(summons_id=summons_id, actor=actor)
    text = _text(text, name="text", zh="请写明处置情况。", en="Describe what was done.")
    with transaction.atomic():
        now = clock.now()
        won = Summons.objects.filter(pk=summons.pk, reported_back_at__isnull=True).update(
            reported_back_at=now, reported_back_by=actor, acted=text
        )
        if not won:
            raise Conflict("已经反馈过了。", "Already reported back.", code="already_reported_back")
        if summons.reported_in_at is None:
            Summons.objects.filter(pk=summons.pk, reported_in_at__isnull=True).update(
                reported_in_at=now, reported_in_by=actor
            )
            summons.reported_in_at = now
        summons.reported_back_at, summons.acted = now, text
        appeal_event_add(
            appeal=summons.whistle.appeal,
            actor=actor,
            kind=EventKind.REPORTED_BACK,
            party=summons.department,
            text=text,
            is_public=True,
            data={
                "whistle": summons.whistle_id,
                "summons": summons.pk,
                "department_name": summons.department.name,
            },
        )
    return summons


# ---------------------------------------------------------------- choosers (helper companies, departments)


# Whether a chooser offers parties of another street (behind "其他街道") — the one rule for page and API.
OTHER_STREETS_ALLOWED = {
    # a bigger company may help across the street boundary, but only when chosen on purpose
    "helper": True,
    # a police station answers for its own street; district departments cover every street anyway
    "whistle": False,
}


def helper_company_choices(*, appeal: Appeal) -> Nearest:
    """Property companies that could help (active, not the responsible one): own street first, the
    closest first; companies of other streets apart (see OTHER_STREETS_ALLOWED)."""
    companies = Party.objects.filter(kind=PartyKind.PROPERTY_COMPANY, is_active=True).exclude(
        pk__in=[p for p in (appeal.responsible_party_id, appeal.first_party_id) if p]
    )
    return _allowed(parties_nearest(place=appeal.place, parties=companies), rule="helper")


def whistle_department_choices(*, appeal: Appeal) -> Nearest:
    """Departments and police stations that may be summoned to this appeal: those covering its place or
    working in its street, the closest first."""
    departments = Party.objects.filter(kind__in=SUMMONABLE_KINDS, is_active=True)
    return _allowed(parties_nearest(place=appeal.place, parties=departments), rule="whistle")


def check_may_choose(*, actor, appeal: Appeal, rule: str) -> None:
    """Only who may blow the whistle sees its departments; only the 环物会 sees the helper companies."""
    if rule == "whistle":
        if _acting_party_of_kinds(actor=actor, appeal=appeal, kinds=WHISTLE_KINDS) is None:
            raise Forbidden(
                "只有社区党组织、居委会或街道可以吹哨。",
                "Only the community may blow the whistle.",
                code="whistle_forbidden",
            )
    elif (
        _acting_party_of_kinds(actor=actor, appeal=appeal, kinds=(PartyKind.ENV_PROPERTY_COMMITTEE,)) is None
    ):
        raise Forbidden(
            "只有环物会可以安排大手拉小手。",
            "Only the environment-and-property committee may do this.",
            code="helper_forbidden",
        )


def _allowed(nearest: Nearest, *, rule: str) -> Nearest:
    return nearest if OTHER_STREETS_ALLOWED[rule] else Nearest(near=nearest.near, others=[])


# ---------------------------------------------------------------- sweeps


def sweep_whistles(*, now: datetime, limit: int = 500) -> int:
    """Close whistles whose appeal is resolved (事不完，人不撤); tell departments late to report in."""
    closed = Whistle.objects.filter(closed_at__isnull=True, appeal__status__in=CLOSED_STATUSES).values_list(
        "id", flat=True
    )[:limit]
    count = Whistle.objects.filter(pk__in=list(closed), closed_at__isnull=True).update(closed_at=now)
    late = Summons.objects.filter(
        reported_in_at__isnull=True,
        overdue_notified_at__isnull=True,
        due_at__lte=now,
        whistle__closed_at__isnull=True,
    ).select_related("whistle", "whistle__appeal", "department")[:limit]
    for summons in late:
        with transaction.atomic():
            won = Summons.objects.filter(
                pk=summons.pk, reported_in_at__isnull=True, overdue_notified_at__isnull=True
            ).update(overdue_notified_at=now)
            if not won:
                continue
            appeal = summons.whistle.appeal
            notify(
                recipients=_members([summons.department_id, summons.whistle.party_id]),
                verb="appeal.summons_overdue",
                title=f"{summons.department.name}超时未报到：{appeal.number}",
                body=summons.whistle.reason[:300],
                url=_appeal_url(appeal.pk),
                key=f"summons-overdue-{summons.pk}",
            )
            count += 1
    return count
