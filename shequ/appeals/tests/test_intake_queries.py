"""Filing an appeal over the API costs a constant, small number of queries (with and without
`Idempotency-Key`): the answer is built from what the filing service already holds."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def _post(client, body, **headers):
    return client.post("/api/v1/appeals", json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize("key", [None, "k-1"])
def test_filing_costs_a_constant_small_number_of_queries(client, world, django_assert_max_num_queries, key):
    client.force_login(world.resident_a)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    _post(client, {"category": "water", "text": "warm up"})
    # session, user, the place or spot named (1), roles (2), the appeal's id (PostgreSQL's sequence;
    # SQLite sets the number after the INSERT), the writes (3); the category and routing come from the
    # process's cached tables (shequ.core.readcache), the answer's timeline from the events just written.
    # The key: claimed by one INSERT … ON CONFLICT DO NOTHING, its answer stored, in a savepoint here
    # (the request's transaction in production)
    limit = 13 if key else 9
    counts = []
    for n, body in enumerate(
        (
            {"category": "lift", "text": "电梯停了", "spot_id": world.lift_a1.pk},
            {"category": "water", "text": "没水了", "place_id": world.household_a.pk},
            {"category": "noise", "text": "楼下噪音"},
        )
    ):
        more = {"HTTP_IDEMPOTENCY_KEY": f"{key}-{n}"} if key else {}
        with django_assert_max_num_queries(limit) as queries:
            got = _post(client, body, **(more or headers))
        assert got.status_code == 201, got.content
        assert got.json()["events"] and got.json()["responsible_party"]
        counts.append(len(queries.captured_queries))
        sqls = " ".join(q["sql"] for q in queries.captured_queries)
        assert sqls.count('FROM "appeals_appeal"') == 0  # the answer does not reload the appeal
        assert 'FROM "appeals_appealevent"' not in sqls  # nor its timeline
    assert max(counts) - min(counts) <= 1


def _timeline(answer: dict) -> list[tuple]:
    return [(e["id"], e["kind"], e.get("text", "")) for e in answer["events"]]


@pytest.mark.parametrize("who", ["resident", "staff for a caller"])
def test_the_answer_shows_the_timeline_the_appeal_page_shows(client, world, who):
    if who == "resident":
        client.force_login(world.resident_a)
        body = {"category": "noise", "text": "楼下噪音"}
    else:  # a caller without an account: their contact is an internal note the committee sees
        client.force_login(world.rc_staff)
        body = {
            "category": "water",
            "text": "来电：没水了",
            "reporter_phone": "13012345678",
            "reporter_name": "王先生",
            "place_id": world.household_a.pk,
        }
    filed = _post(client, body)
    assert filed.status_code == 201, filed.content
    shown = client.get(f"/api/v1/appeals/{filed.json()['id']}")
    assert _timeline(filed.json()) == _timeline(shown.json())
    kinds = [e[1] for e in _timeline(filed.json())]
    assert kinds == (
        ["submitted", "dispatched"] if who == "resident" else ["submitted", "dispatched", "note"]
    )
