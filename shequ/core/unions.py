"""`pk IN (a UNION b …)`: one filter from several index-served lookups.

An OR across columns of different indexes (or across a column and a subquery) leaves PostgreSQL a
scan of the whole table; the same rows as a UNION of lookups let each branch read only its own index.
Used where a list is "rows matching any of these" (my appeals, a ladder level's escalations)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL


def pk_in_union(branches: list[QuerySet], *, field: str = "pk") -> Q:
    """`Q(<field>__in=<the union of the branches>)`; each branch selects one column (`.values(…)`).
    The result stays a filter, so the queryset it is applied to can still be filtered, ordered,
    counted and paged by keyset."""
    sql: list[str] = []
    params: list[Any] = []
    for branch in branches:
        text, args = branch.order_by().query.sql_with_params()
        sql.append(text)  # no ORDER BY or LIMIT: plain SELECTs unite on SQLite and PostgreSQL
        params.extend(args)
    return Q(**{f"{field}__in": RawSQL(f"SELECT * FROM ({' UNION '.join(sql)}) AS branches", params)})
