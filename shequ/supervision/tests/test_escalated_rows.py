"""The escalated queue: its rows, in order, pinned against a reference query for every ladder level (so a
rewrite of its shape — a UNION of the two lookups was measured — must give the same rows); an appeal
stays on the list of every ladder level it passed (issue #14, point 8); one query, and one to count."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from shequ.appeals.models import OPEN_STATUSES, Appeal, AppealEvent, EventKind
from shequ.core import clock
from shequ.core.jobs import run_once
from shequ.supervision import selectors

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=SH)


def _before(party_ids: list[int], *, open_only: bool) -> list[int]:
    """The reference: an OR of `escalated_to_id IN (…)` and the escalation events' subquery."""
    passed = AppealEvent.objects.filter(kind=EventKind.ESCALATED, party_id__in=party_ids).values("appeal_id")
    qs = (
        Appeal.objects.filter(Q(escalated_to_id__in=party_ids) | Q(pk__in=passed))
        .filter(escalation_level__gt=0)
        .exclude(kind="consult")
    )
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return list(qs.order_by("-escalation_level", "accept_due_at", "-id").values_list("pk", flat=True))


def _ladder(world, file_appeal) -> dict[str, Appeal]:
    """Appeals at each rung: one climbed to the party organisation (past the 环物会), one at the 环物会,
    one closed after its escalation, an overdue consultation, one never overdue."""
    with clock.frozen(T0):
        climbed = file_appeal(urgency="emergency", text="电梯困人，一直没人来")
        consult = file_appeal(category="health", kind="consult", text="咨询", urgency="emergency")
    with clock.frozen(T0 + timedelta(minutes=31)):
        run_once(now=clock.now())
    with clock.frozen(T0 + timedelta(hours=2)):
        run_once(now=clock.now())  # climbed goes past the 环物会
        at_env = file_appeal(urgency="emergency", text="2号楼电梯困人")
        closed = file_appeal(urgency="emergency", text="3号楼电梯困人")
    with clock.frozen(T0 + timedelta(hours=2, minutes=31)):
        run_once(now=clock.now())  # at_env and closed reach the 环物会
        calm = file_appeal(text="楼道灯不亮")
    Appeal.objects.filter(pk=closed.pk).update(status="closed")  # settled after its escalation
    rows = {"climbed": climbed, "at_env": at_env, "closed": closed, "consult": consult, "calm": calm}
    for a in rows.values():
        a.refresh_from_db()
    return rows


def test_the_union_gives_the_rows_and_order_of_the_or_on_every_level(world, file_appeal):
    rows = _ladder(world, file_appeal)
    climbed, at_env = rows["climbed"], rows["at_env"]
    assert climbed.escalation_level >= 2 and climbed.escalated_to_id != world.env_committee.pk
    assert at_env.escalated_to_id == world.env_committee.pk
    assert rows["closed"].escalation_level > 0 and rows["consult"].escalation_level == 0
    top = climbed.escalated_to_id
    levels = [
        [world.env_committee.pk],
        [top],
        [world.env_committee.pk, top],
        [world.company_x.pk],  # the first party: never escalated to
        [world.outsider.pk + 10_000],  # no such party
    ]
    seen = {}
    for party_ids in levels:
        for open_only in (True, False):
            got = list(
                selectors.escalated_to_parties(party_ids=party_ids, open_only=open_only).values_list(
                    "pk", flat=True
                )
            )
            assert got == _before(party_ids, open_only=open_only), (party_ids, open_only)
            seen[(tuple(party_ids), open_only)] = got
    # the 环物会 still sees what climbed past it, and what is at its rung, open ones only by default
    env = seen[((world.env_committee.pk,), True)]
    assert climbed.pk in env and at_env.pk in env and rows["closed"].pk not in env
    assert rows["closed"].pk in seen[((world.env_committee.pk,), False)]
    assert seen[((top,), True)] == [climbed.pk]
    assert env[0] == climbed.pk  # the higher rung first
    assert rows["consult"].pk not in {pk for got in seen.values() for pk in got}
    assert rows["calm"].pk not in {pk for got in seen.values() for pk in got}


def test_the_queue_is_one_query_and_its_count_one_more(world, file_appeal):
    _ladder(world, file_appeal)
    with CaptureQueriesContext(connection) as ctx:
        qs = selectors.escalated_to_parties(party_ids=[world.env_committee.pk])
        rows = list(qs[:200])
        count = qs.count()
        [(a.category.name, a.escalated_to and a.escalated_to.name, a.place.name) for a in rows]
    assert count == len(rows) == 2
    assert len(ctx.captured_queries) == 2
