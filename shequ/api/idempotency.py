"""`Idempotency-Key`: a retried POST returns the first result instead of doing the work twice."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse

from shequ.core.errors import Conflict, DomainError
from shequ.core.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"


def idempotent(request: HttpRequest, work: Callable[[], tuple[int, dict]]) -> JsonResponse:
    """Run `work() -> (status, body)` once per (user, key); replay the stored answer on retries.

    The record is written in the same transaction as the work, so a crash leaves neither.
    """
    key = (request.META.get(HEADER) or "").strip()[:200]
    if not key:
        status, body = work()
        return JsonResponse(body, status=status)
    user = request.auth if hasattr(request, "auth") else request.user  # type: ignore[attr-defined]
    for _attempt in range(3):
        existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if existing is not None:
            if existing.path != request.path or existing.method != request.method:
                raise Conflict(
                    "该幂等键已用于另一个请求。",
                    "This Idempotency-Key was already used for a different request.",
                    code="idempotency_key_reused",
                )
            response = JsonResponse(existing.response_body, status=existing.status_code or 200)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, method=request.method or "POST", path=request.path
                )
                status, body = work()
                if status >= 400:
                    # Errors are not remembered: the client may fix the request and retry.
                    transaction.set_rollback(True)
                    return JsonResponse(body, status=status)
                record.status_code = status
                record.response_body = body
                record.save(update_fields=["status_code", "response_body"])
            return JsonResponse(body, status=status)
        except IntegrityError:
            continue  # a concurrent request with the same key won; replay its answer
        except DomainError:
            raise
    raise Conflict("请求正在处理，请稍后重试。", "The request is being processed; retry shortly.")
