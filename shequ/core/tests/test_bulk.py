"""`shequ.core.bulk`: a batch written as binary arrays, seen by Django's query logging like any statement."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.core import bulk
from shequ.core.models import Job

pytestmark = pytest.mark.django_db
AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if not bulk.is_postgresql():
        pytest.skip("binary arrays are PostgreSQL's (SQLite takes the portable bulk_create paths)")


def test_insert_returning_writes_the_rows_in_order_in_one_statement():
    names = [f"bulk.test-{i}" for i in range(300)]
    payloads = [{"n": i, "text": 'quote " and \\ backslash', "none": None} for i in range(300)]
    with CaptureQueriesContext(connection) as ctx:
        ids = bulk.insert_returning(
            Job._meta.db_table,
            {
                "name": bulk.Each("text", names),
                "payload": bulk.Each("jsonb", payloads),
                "dedupe_key": bulk.Each("text", [None] * 300),
                "status": bulk.Each("text", ["done"] * 300),
                "run_at": bulk.Each("timestamptz", [AT] * 300),
                "attempts": bulk.Each("smallint", [0] * 300),
                "max_attempts": bulk.Each("smallint", [1] * 300),
                "locked_by": bulk.Each("text", [""] * 300),
                "last_error": bulk.Each("text", [""] * 300),
                "created_at": bulk.Each("timestamptz", [AT] * 300),
            },
        )
    assert len(ctx.captured_queries) == 1 and ctx.captured_queries[0]["sql"].startswith(
        "INSERT INTO core_job"
    )
    rows = dict(Job.objects.filter(pk__in=[i for (i,) in ids]).values_list("pk", "payload"))
    assert [rows[i] for (i,) in ids] == payloads  # in the arrays' order, JSON intact


def test_insert_returning_skips_conflicts_and_returns_only_new_rows():
    Job.objects.create(name="bulk.test", payload={}, dedupe_key="taken", status="done")
    columns = {
        "name": bulk.Each("text", ["bulk.test"] * 2),
        "payload": bulk.Each("jsonb", [{}, {}]),
        "dedupe_key": bulk.Each("text", ["taken", "free"]),
        "status": bulk.Each("text", ["done"] * 2),
        "attempts": bulk.Each("smallint", [0, 0]),
        "max_attempts": bulk.Each("smallint", [1, 1]),
        "locked_by": bulk.Each("text", ["", ""]),
        "last_error": bulk.Each("text", ["", ""]),
        "run_at": bulk.Each("timestamptz", [AT, AT]),
        "created_at": bulk.Each("timestamptz", [AT, AT]),
    }
    rows = bulk.insert_returning(
        Job._meta.db_table, columns, conflict="ON CONFLICT (dedupe_key) DO NOTHING", returning="dedupe_key"
    )
    assert rows == [("free",)]
    with pytest.raises(ValueError):
        bulk.insert_returning(Job._meta.db_table, {**columns, "status": bulk.Each("text", ["done"])})
