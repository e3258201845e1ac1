"""Smoke test of the scale benchmark (bench/): the history generator on 10,000 appeals (PostgreSQL —
it writes PostgreSQL SQL) and the load runner against a live server (every database)."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from bench import load

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the generator writes PostgreSQL SQL (runs in CI on PostgreSQL)"
)


def _index_names(table: str) -> set[str]:
    with connection.cursor() as cur:
        return {
            name for name, c in connection.introspection.get_constraints(cur, table).items() if c["index"]
        }


@pg_only
@pytest.mark.django_db
def test_generator_builds_a_realistic_history():
    from bench.generate import generate
    from shequ.appeals.models import Appeal, AppealEvent, EventKind, Status
    from shequ.demo.services import demo_load

    demo_load(reset=False)
    before = Appeal.objects.count()
    indexes = _index_names("appeals_appeal") | _index_names("appeals_appealevent")
    made = generate(appeals=10_000, compounds=2, verbose=False)
    assert made.appeals == 10_000
    generated = Appeal.objects.exclude(pk__in=Appeal.objects.order_by("id").values("id")[:before])
    assert generated.count() == 10_000
    # Statuses like a district's: most history closed, some of everything open, some overdue.
    closed = generated.filter(status=Status.CLOSED).count()
    open_ = generated.filter(status__in=[Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED,
                                         Status.IN_PROGRESS]).count()  # fmt: skip
    assert 0.8 * 10_000 < closed < 0.99 * 10_000
    assert open_ > 20
    assert generated.filter(escalation_level__gt=0, escalated_to__isnull=False).exists()
    assert generated.filter(rating="satisfied").count() > generated.filter(rating="unsatisfied").count()
    # Every appeal has its submitted event; closed ones their whole timeline.
    assert AppealEvent.objects.filter(appeal__in=generated, kind=EventKind.SUBMITTED).count() == 10_000
    assert made.events > 4 * 10_000
    sample = generated.filter(status=Status.CLOSED, rating__isnull=False).first()
    kinds = list(sample.events.values_list("kind", flat=True))
    assert kinds[:2] == ["submitted", "dispatched"] and "resolved" in kinds and "rated" in kinds
    # Numbers as appeal_create writes them, routed to a party, spread over about three years.
    assert sample.number.endswith(f"{sample.pk:06d}") and len(sample.number) >= 14
    assert not generated.filter(responsible_party__isnull=True).exists()
    oldest = generated.order_by("created_at").first().created_at
    newest = generated.order_by("-created_at").first().created_at
    assert (newest - oldest).days > 2 * 365
    # The secondary indexes dropped for the load are all back, and foreign keys hold.
    assert _index_names("appeals_appeal") | _index_names("appeals_appealevent") == indexes
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM appeals_appeal a LEFT JOIN directory_place p ON p.id = a.place_id"
            " WHERE p.id IS NULL"
        )
        assert cur.fetchone()[0] == 0


def test_load_runner_refuses_other_hosts():
    with pytest.raises(ValueError):
        load.run("http://10.0.0.1:80", lambda i: ("GET", "/", None, {}), name="x", requests=1)


def test_load_runner_against_a_live_server(live_server, settings):
    from bench import floor

    settings.ROOT_URLCONF = "bench.urls"
    floor.ensure_table()
    base = live_server.url
    write = load.run(
        base,
        lambda i: (
            "POST",
            "/bench/floor/write",
            json.dumps({"text": f"t{i}"}).encode(),
            {"Content-Type": "application/json"},
        ),  # fmt: skip
        name="floor write",
        concurrency=2,
        requests=20,
        seconds=10,
    )
    assert write.ok == 20 and write.errors == 0 and write.rps > 0 and write.p95 >= write.p50 > 0
    pages = load.run(
        base, lambda i: ("GET", "/api/v1/categories", None, {}), name="categories", requests=10, seconds=10
    )
    assert pages.ok == 10 and pages.statuses == {200: 10}
    missing = load.run(
        base, lambda i: ("GET", "/bench/floor/read/999999999", None, {}), name="404", requests=3, seconds=5
    )
    assert missing.ok == 0 and missing.errors == 3 and missing.statuses == {404: 3}
