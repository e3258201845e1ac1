"""Concurrent ballots of the same owner yield exactly one (the database constraint), on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from shequ.core import clock
from shequ.core.errors import Conflict
from shequ.decisions import voting
from shequ.decisions.models import Ballot, Decision
from shequ.decisions.tests.factories import VOTING, standard_register, voting_decision

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_ballots_of_one_owner_yield_exactly_one(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server that several connections share (PostgreSQL)")
    standard_register(world)
    decision = voting_decision(world)
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def cast(choice: str) -> None:
        try:
            d = Decision.objects.get(pk=decision.pk)
            barrier.wait()
            with clock.frozen(VOTING):
                voting.ballot_cast(user=world.resident_a, decision=d, choice=choice)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cast, args=(c,)) for c in ["agree", "disagree"] * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 5 + ["ok"]
    assert Ballot.objects.filter(decision=decision).count() == 1
