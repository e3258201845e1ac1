"""Concurrent named ballots of the same owner in an owners'-committee election yield exactly one (the roll's
conditional tick and the constraint `el_named_one_per_voter`), on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from shequ.core import clock
from shequ.core.errors import Conflict
from shequ.decisions.tests.factories import standard_register
from shequ.elections import voting
from shequ.elections.models import Election, NamedBallot, RollEntry
from shequ.elections.tests.factories import VOTING, owners_election

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_named_ballots_of_one_owner_yield_exactly_one(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server that several connections share (PostgreSQL)")
    standard_register(world)
    election = owners_election(world)
    ids = list(election.candidates.order_by("id").values_list("pk", flat=True))
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def cast(pick: int) -> None:
        try:
            e = Election.objects.get(pk=election.pk)
            barrier.wait()
            with clock.frozen(VOTING):
                voting.election_vote(user=world.resident_a, election=e, candidate_ids=[pick])
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cast, args=(ids[i % 2],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 5 + ["ok"]
    assert NamedBallot.objects.filter(election=election).count() == 1
    assert RollEntry.objects.filter(election=election, voted=True).count() == 1
