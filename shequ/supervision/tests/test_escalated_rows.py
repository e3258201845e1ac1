"""The escalated queue: its rows, in order, pinned as literal lists for every ladder level (so a rewrite
of its shape — a UNION of the two lookups was measured — must give the same rows); an appeal stays on the
list of every ladder level it passed (issue #14, point 8); one query, and one to count."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.appeals.models import Appeal
from shequ.core import clock
from shequ.core.jobs import run_once
from shequ.supervision import selectors

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=SH)


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


def test_the_queue_keeps_every_level_it_passed_in_order(world, file_appeal):
    rows = _ladder(world, file_appeal)
    climbed, at_env = rows["climbed"], rows["at_env"]
    assert climbed.escalation_level >= 2 and climbed.escalated_to_id != world.env_committee.pk
    assert at_env.escalated_to_id == world.env_committee.pk
    assert rows["closed"].escalation_level > 0 and rows["consult"].escalation_level == 0
    top = climbed.escalated_to_id
    env_pk, closed = world.env_committee.pk, rows["closed"]
    # Literal expectations per ladder level, in the queue's order (higher rung first, then the
    # acceptance deadline, newest first on a tie): open ones by default, the closed one only in "all".
    expected = {
        ((env_pk,), True): [climbed.pk, at_env.pk],
        ((env_pk,), False): [climbed.pk, closed.pk, at_env.pk],
        ((top,), True): [climbed.pk],
        ((top,), False): [climbed.pk],
        ((env_pk, top), True): [climbed.pk, at_env.pk],
        ((env_pk, top), False): [climbed.pk, closed.pk, at_env.pk],
        ((world.company_x.pk,), True): [],  # the first party: never escalated to
        ((world.company_x.pk,), False): [],
        ((world.outsider.pk + 10_000,), True): [],  # no such party
        ((world.outsider.pk + 10_000,), False): [],
    }
    for (party_ids, open_only), want in expected.items():
        got = list(
            selectors.escalated_to_parties(party_ids=list(party_ids), open_only=open_only).values_list(
                "pk", flat=True
            )
        )
        assert got == want, (party_ids, open_only)


def test_the_queue_is_one_query_and_its_count_one_more(world, file_appeal):
    _ladder(world, file_appeal)
    with CaptureQueriesContext(connection) as ctx:
        qs = selectors.escalated_to_parties(party_ids=[world.env_committee.pk])
        rows = list(qs[:200])
        count = qs.count()
        [(a.category.name, a.escalated_to and a.escalated_to.name, a.place.name) for a in rows]
    assert count == len(rows) == 2
    assert len(ctx.captured_queries) == 2
