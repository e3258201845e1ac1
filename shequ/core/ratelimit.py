"""One rate limit for every write people can repeat (issue #9, finding 9).

`rate_limit("appeal", account=user.pk, place=place.pk)` counts one more attempt for each named key
in a fixed window and refuses with 429 (Chinese and English) when any key is over its limit. The
limits per action and key live in settings.SHEQU_RATE_LIMITS as (count, seconds); an action or key
without a limit is not counted. Counts live in the cache: with several web processes set REDIS_URL so
that they share them (the in-process cache counts per process).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache

from shequ.core.errors import DomainError

# What each action is called in the refusal, in both languages.
ACTION_WORDS = {
    "appeal": ("反映问题", "filing appeals"),
    "booking": ("预约场地", "booking venues"),
    "forum_post": ("发帖和回复", "posting"),
    "upload": ("上传图片", "uploading images"),
    "register": ("注册", "registering"),
}

_local = threading.local()


class TooManyRequests(DomainError):
    status = 429
    code = "rate_limited"


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """For loaders that write many rows as one trusted operator (the demo): no counting inside."""
    before = getattr(_local, "suspended", False)
    _local.suspended = True
    try:
        yield
    finally:
        _local.suspended = before


def rate_limit(action: str, *, cost: int = 1, **keys: object) -> None:
    if not getattr(settings, "SHEQU_RATE_LIMITS_ENABLED", True) or getattr(_local, "suspended", False):
        return
    limits = getattr(settings, "SHEQU_RATE_LIMITS", {}).get(action, {})
    now = int(time.time())
    counted: list[tuple[str, int, int]] = []
    for name, value in keys.items():
        if value is None or name not in limits:
            continue
        allowed, seconds = limits[name]
        key = f"shequ:rl:{action}:{name}:{value}:{now // seconds}"
        cache.add(key, 0, timeout=seconds + 5)
        try:
            count = cache.incr(key, cost)
        except ValueError:  # expired between add and incr
            cache.set(key, cost, timeout=seconds + 5)
            count = cost
        counted.append((name, count, allowed))
    over = [(name, allowed) for name, count, allowed in counted if count > allowed]
    if over:
        zh_action, en_action = ACTION_WORDS.get(action, (action, action))
        _name, allowed = over[0]
        raise TooManyRequests(
            f"{zh_action}太频繁了，请稍后再试。",
            f"Too many requests for {en_action}; please try again later.",
            fields={"limit": str(allowed)},
        )
