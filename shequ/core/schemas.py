"""Shapes every app's API shares: the one error body (what `shequ.core.errors.DomainError.as_dict`
returns) and the responses each operation declares for it."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorBody(Schema):
    code: str
    message: str
    message_zh: str
    message_en: str
    fields: dict[str, Any]


class ErrorOut(Schema):
    error: ErrorBody


# The error responses an operation declares (add them with `response={200: X, **ERRORS}`).
ERRORS: dict[int, Any] = {status: ErrorOut for status in (400, 401, 403, 404, 409, 422)}
