"""Row locking: two people acting on one appeal at once — exactly one transition wins (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from shequ.appeals import services
from shequ.appeals.models import Appeal, AppealEvent
from shequ.core.errors import Conflict
from shequ.directory import parties as dparties
from shequ.directory.models import Role


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_accepts_one_wins(world, file_appeal):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writers anyway)")
    from shequ.conftest import make_user

    second = make_user("13900000099", "钱师傅")
    dparties.membership_create(user=second, party=world.company_x, role=Role.HANDLER)
    appeal = file_appeal()
    barrier = threading.Barrier(2)
    results: list[str] = []

    def accept(user):
        from django.db import connections

        try:
            barrier.wait()
            services.appeal_transition(appeal=Appeal(pk=appeal.pk), actor=user, action="accept")
            results.append("ok")
        except Conflict:
            results.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (world.handler_x, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
    assert AppealEvent.objects.filter(appeal_id=appeal.pk, kind="accepted").count() == 1
