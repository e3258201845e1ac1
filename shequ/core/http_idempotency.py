"""`Idempotency-Key`: a retried POST returns the first result instead of doing the work twice."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, JsonResponse

from shequ.core.idempotency import remember
from shequ.core.schemas import ApiJSONEncoder

HEADER = "HTTP_IDEMPOTENCY_KEY"


def idempotent(request: HttpRequest, work: Callable[[], tuple[int, dict]]) -> JsonResponse:
    """Run `work() -> (status, body)` once per (user, key); replay the stored answer on retries.

    The record is written in the same transaction as the work, so a crash leaves neither
    (`shequ.core.idempotency.remember`). Errors (status >= 400) are not remembered: the client may fix
    the request and retry. A replayed answer carries `Idempotent-Replayed: true`; a key reused for another
    method or path is a 409 `idempotency_key_reused`.
    """
    key = (request.META.get(HEADER) or "").strip()[:200]
    if not key:
        status, body = work()
        return JsonResponse(body, status=status, encoder=ApiJSONEncoder)
    user = request.user  # the API's authentication sets it for tokens and sessions alike
    outcome = remember(user=user, key=key, method=request.method or "POST", path=request.path, work=work)
    response = JsonResponse(outcome.body, status=outcome.status, encoder=ApiJSONEncoder)
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"
    return response
