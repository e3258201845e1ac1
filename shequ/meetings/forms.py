"""Parsing of the meeting pages' posts (typed values for the services; errors in zh + en)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from shequ.core.errors import Invalid


def local_datetime(value: str | None, *, name: str) -> datetime | None:
    """A `datetime-local` field ("2026-12-01T14:00") as an aware time in the site's zone."""
    if not value:
        return None
    parsed = parse_datetime(value.strip())
    if parsed is None:
        raise Invalid(
            "时间格式不正确。", "The time is not valid.", code="bad_datetime", fields={name: "invalid"}
        )
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def int_list(values: list[str]) -> list[int]:
    out = []
    for v in values:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            raise Invalid("选择有误。", "Invalid choice.", code="bad_choice")
    return out


def int_or_none(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid("选择有误。", "Invalid choice.", code="bad_choice")
