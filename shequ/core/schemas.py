"""Shapes every app's API shares: the one error body (what `shequ.core.errors.DomainError.as_dict`
returns) and the responses each operation declares for it; the one datetime format."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import PlainSerializer


def local_iso(value: datetime | None) -> str | None:
    """ISO 8601 with the offset, in local time: the one datetime format of every app's API (the API's
    renderer writes every datetime so; a schema field that must be a string already uses this)."""
    return timezone.localtime(value).isoformat() if value else None


LocalDateTime = Annotated[datetime, PlainSerializer(local_iso, return_type=str)]


class ApiJSONEncoder(NinjaJSONEncoder):
    """The API's JSON: ninja's, with every datetime in the one format (`local_iso`)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return local_iso(o)
        return super().default(o)


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
