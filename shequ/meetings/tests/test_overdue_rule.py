"""One "overdue" for action items: the queryset filter (`overdue_q`) and the predicate (`is_overdue`)
agree on every status and on the due-time boundary, and the start block counts with that rule on both
of its paths (a short list counted in Python, a long one counted in the database)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import RequestFactory

from shequ.core import clock
from shequ.meetings import action_items, services
from shequ.meetings import start as meetings_start
from shequ.meetings.models import ActionItem, ItemStatus
from shequ.meetings.tests.conftest import T0

pytestmark = pytest.mark.django_db

# Relative to "now": long past, exactly now (the boundary), just ahead.
OFFSETS = (timedelta(hours=-5), timedelta(0), timedelta(minutes=1))


def _items(world, meeting, n: int) -> list[ActionItem]:
    services.attendance_take(
        meeting=meeting,
        actor=world.env_director,
        present=[services.AttendeeIn(name="周主任", party=world.env_committee)],
    )
    with clock.frozen(T0):
        return [
            services.action_item_create(
                meeting=meeting,
                actor=world.env_director,
                description=f"任务{i}",
                responsible_party=world.company_x,
                due_at=T0 + timedelta(days=1),
            )
            for i in range(n)
        ]


def test_filter_and_predicate_agree(world, meeting):
    now = T0 + timedelta(days=2)
    rows = _items(world, meeting, len(OFFSETS) * len(ItemStatus.values))
    combos = [(s, o) for s in ItemStatus.values for o in OFFSETS]
    for row, (status, offset) in zip(rows, combos, strict=True):
        ActionItem.objects.filter(pk=row.pk).update(status=status, due_at=now + offset)
    by_filter = set(ActionItem.objects.filter(action_items.overdue_q(now=now)).values_list("pk", flat=True))
    by_predicate = {row.pk for row in ActionItem.objects.all() if action_items.is_overdue(item=row, now=now)}
    assert by_filter == by_predicate
    # Two open rows are overdue: long past and exactly due (the boundary belongs to "overdue").
    assert len(by_filter) == 2


@pytest.mark.parametrize("n", [meetings_start.LIST_LIMIT, meetings_start.LIST_LIMIT + 2])
def test_start_block_counts_with_the_one_rule(world, meeting, n):
    now = T0 + timedelta(days=2)
    rows = _items(world, meeting, n)
    for row, offset in zip(rows, (OFFSETS * n)[:n], strict=True):
        ActionItem.objects.filter(pk=row.pk).update(due_at=now + offset)
    expected = sum(action_items.is_overdue(item=r, now=now) for r in ActionItem.objects.all())
    request = RequestFactory().get("/")
    request.user = world.handler_x
    start = SimpleNamespace(desks=["handler"], read_only=False, main_desk="handler")
    with clock.frozen(now):
        block = meetings_start.block(request, start)
    assert block is not None
    tiles = {t.label: t.value for t in block.tiles}
    assert tiles["已超期"] == expected and tiles["待办任务"] == n
