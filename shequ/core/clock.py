"""The one source of "now". Tests and `shequ sweep --now` move it; nothing else calls timezone.now()."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

_override = threading.local()
_global_override: datetime | None = None


def now() -> datetime:
    value = getattr(_override, "value", None) or _global_override
    return value if value is not None else timezone.now()


def set_now(value: datetime | None) -> None:
    """Pin the clock for the whole process (drills, `shequ sweep --now`). None releases it."""
    global _global_override
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    _global_override = value


@contextlib.contextmanager
def frozen(value: datetime) -> Iterator[datetime]:
    """Pin the clock for the current thread inside the block."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    previous = getattr(_override, "value", None)
    _override.value = value
    try:
        yield value
    finally:
        _override.value = previous
