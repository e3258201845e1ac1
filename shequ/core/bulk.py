"""Set-based statements that carry a whole batch as arrays (`INSERT … SELECT … FROM unnest(…)`,
`UPDATE … FROM unnest(…)`), on PostgreSQL.

Django's psycopg cursors bind parameters on the client: every element of an array parameter is quoted
and escaped in Python, which for a sweep's batch costs more than the statement (1,376 JSON values:
≈90–200 ms quoted, ≈4 ms sent as a binary `text[]`). `array_cursor()` is a cursor on the same connection
and transaction that binds on the server, so a `%b` placeholder sends its array in binary. It is
Django's own cursor wrapper around it, so query logging, `CaptureQueriesContext` and `execute_wrapper`
see its statements like any other. Statements are not prepared (`prepare=False`): safe behind a
transaction-pooling PgBouncer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.db import connection


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


@cache
def _cursor_class() -> type:
    import psycopg  # noqa: PLC0415 - the PostgreSQL driver; SQLite installs never import it

    class Unprepared(psycopg.Cursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=False, binary=binary)

    return Unprepared


@contextmanager
def array_cursor() -> Iterator[Any]:
    """A server-binding cursor in the current transaction (PostgreSQL only), wrapped like Django's."""
    connection.ensure_connection()
    raw = _cursor_class()(connection.connection)
    # Django's own wrapper, as `connection.cursor()` gives: query logging, execute_wrappers, errors.
    wrapped = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    try:
        yield wrapped
    finally:
        wrapped.close()


class Each(list):
    """A column's value for each row (an array parameter), as opposed to one value for every row."""

    def __init__(self, sql_type: str, values: Iterable[Any]) -> None:
        super().__init__(values)
        self.sql_type = sql_type


def insert_returning(
    table: str, columns: dict[str, Each], *, conflict: str = "", returning: str = "id"
) -> list[tuple]:
    """INSERT one row per element of the columns' arrays (all of one length) with one statement, in
    the arrays' order; returns each inserted row's `returning` columns (nothing for a row that the
    `conflict` clause, e.g. "ON CONFLICT (…) DO NOTHING", skipped). A `jsonb` column takes Python
    values, sent as binary JSON text. PostgreSQL only."""
    if len({len(v) for v in columns.values()}) != 1:
        raise ValueError("insert_returning: the columns' arrays differ in length")
    select = [f"v.{name}::jsonb" if v.sql_type == "jsonb" else f"v.{name}" for name, v in columns.items()]
    unnest = ", ".join(
        "%b::text[]" if v.sql_type == "jsonb" else f"%b::{v.sql_type}[]" for v in columns.values()
    )
    params = [[json.dumps(x) for x in v] if v.sql_type == "jsonb" else list(v) for v in columns.values()]
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(select)}"
        f" FROM unnest({unnest}) WITH ORDINALITY AS v({', '.join(columns)}, n) ORDER BY v.n {conflict}"
        f" RETURNING {returning}"
    )
    with array_cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()
