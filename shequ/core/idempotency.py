"""Do a piece of work once per (user, key): a retried request gets the first result instead of a second one.

The record (`IdempotencyRecord`) is claimed first (`INSERT … ON CONFLICT DO NOTHING`) in the same
transaction as the work, so a crash leaves neither, and the unique (user, key) constraint makes two
concurrent attempts end with one result (the second waits for the first, then replays it). Used by the API's
`Idempotency-Key` header (`shequ.core.http_idempotency`) and by one-time form tokens (a double-tapped form).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction

from shequ.core import clock
from shequ.core.errors import Conflict
from shequ.core.models import IdempotencyRecord

ATTEMPTS = 3


class InProgress(Conflict):
    """The key is taken but its result could not be read after a few attempts (the first is still running)."""


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict
    replayed: bool


def remember(
    *, user, key: str, method: str = "POST", path: str, work: Callable[[], tuple[int, dict]]
) -> Outcome:
    """Run `work() -> (status, body)` once per (user, key); later calls replay the stored (status, body).

    A key already used for another method or path raises Conflict. A status of 400 or more is not
    remembered (its transaction is rolled back, so the caller may fix the request and retry); a
    DomainError raised by `work` rolls back and propagates.
    """
    for _attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                record_id = _claim(user=user, key=key, method=method, path=path)
                if record_id is None:
                    existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
                    if existing is None:
                        continue  # the record went away meanwhile (its attempt rolled back): claim again
                    if existing.path != path or existing.method != method:
                        raise Conflict(
                            "该幂等键已用于另一个请求。",
                            "This Idempotency-Key was already used for a different request.",
                            code="idempotency_key_reused",
                        )
                    return Outcome(existing.status_code or 200, existing.response_body or {}, replayed=True)
                status, body = work()
                if status >= 400:
                    transaction.set_rollback(True)
                    return Outcome(status, body, replayed=False)
                IdempotencyRecord.objects.filter(pk=record_id).update(status_code=status, response_body=body)
            return Outcome(status, body, replayed=False)
        except IntegrityError:
            continue  # the work met a concurrent write: try again (or replay what won)
    raise InProgress("请求正在处理，请稍后重试。", "The request is being processed; retry shortly.")


def _claim(*, user, key: str, method: str, path: str) -> int | None:
    """Write the record of (user, key) unless the key is taken: one `INSERT … ON CONFLICT DO NOTHING`
    (no read first). Its id, or None when a record exists (a concurrent first attempt holds the unique
    index until it commits or rolls back, so the caller then reads a finished one, or claims again)."""
    meta = IdempotencyRecord._meta
    qn = connection.ops.quote_name
    column = {f.name: qn(f.column or f.name) for f in meta.concrete_fields}
    columns = ", ".join(column[f] for f in ("user", "key", "method", "path", "created_at"))
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT ({column['user']}, {column['key']}) DO NOTHING RETURNING {column['id']}"
    )
    created_at = connection.ops.adapt_datetimefield_value(clock.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, key, method, path, created_at])
        row = cursor.fetchone()
    return row[0] if row else None


def once(*, user, key: str, path: str, work: Callable[[], int]) -> int:
    """Run `work() -> id` (e.g. create an appeal and return its id) once per (user, key); return that id,
    also on retries. Raises InProgress if the first attempt's result cannot be read yet."""
    outcome = remember(user=user, key=key, method="POST", path=path, work=lambda: (201, {"id": work()}))
    result_id = (outcome.body or {}).get("id")
    if result_id is None:  # a record written by something other than once()
        raise InProgress("请求正在处理，请稍后重试。", "The request is being processed; retry shortly.")
    return result_id
