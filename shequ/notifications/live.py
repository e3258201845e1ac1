"""Live updates: push small events to a user's open pages (server-sent events).

    publish(user_ids, event)   from sync code, after commit (notify() does this)
    BROKER.subscribe(user_id, deliver) / unsubscribe(token)   used by the /notifications/stream view

Embedded default: an in-process broker — each open stream registers a `deliver` callable (for an
asyncio connection it wraps `loop.call_soon_threadsafe(queue.put_nowait, …)`, so publishing from any
thread is safe). With `settings.REDIS_URL` set, publish() goes to Redis pub/sub instead and one
listener thread per process feeds the local broker, so several app processes share every event.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable

from django.conf import settings

log = logging.getLogger("shequ.notifications.live")

CHANNEL_PREFIX = "shequ:live:"


class Broker:
    """Thread-safe fan-out of events to the streams open in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[int, dict[int, Callable[[dict], None]]] = {}
        self._ids = itertools.count(1)
        self._tokens: dict[int, int] = {}

    def subscribe(self, user_id: int, deliver: Callable[[dict], None]) -> int:
        token = next(self._ids)
        with self._lock:
            self._subs.setdefault(user_id, {})[token] = deliver
            self._tokens[token] = user_id
        if redis_enabled():
            _ensure_redis_listener()
        return token

    def unsubscribe(self, token: int) -> None:
        with self._lock:
            user_id = self._tokens.pop(token, None)
            if user_id is not None:
                subs = self._subs.get(user_id, {})
                subs.pop(token, None)
                if not subs:
                    self._subs.pop(user_id, None)

    def connections(self, user_id: int | None = None) -> int:
        with self._lock:
            if user_id is None:
                return sum(len(s) for s in self._subs.values())
            return len(self._subs.get(user_id, {}))

    def dispatch(self, user_id: int, event: dict) -> int:
        with self._lock:
            targets = list(self._subs.get(user_id, {}).values())
        for deliver in targets:
            try:
                deliver(event)
            except Exception:  # a closed loop or a gone client must not stop the others
                log.debug("live delivery to user %s failed", user_id, exc_info=True)
        return len(targets)


BROKER = Broker()


def redis_enabled() -> bool:
    return bool(getattr(settings, "REDIS_URL", ""))


_redis_client = None
_redis_lock = threading.Lock()
_listener: threading.Thread | None = None


def _redis():
    global _redis_client
    with _redis_lock:
        if _redis_client is None:
            import redis  # noqa: PLC0415

            _redis_client = redis.Redis.from_url(
                settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5
            )
        return _redis_client


def publish(user_ids: Iterable[int], event: dict) -> None:
    """Send `event` to every open page of each user (call after commit)."""
    ids = sorted({int(u) for u in user_ids})
    if not ids:
        return
    if redis_enabled():
        try:
            client = _redis()
            payload = json.dumps(event, ensure_ascii=False, default=str)
            pipe = client.pipeline(transaction=False)
            for uid in ids:
                pipe.publish(f"{CHANNEL_PREFIX}{uid}", payload)
            pipe.execute()
            return
        except Exception:
            # Redis down: the inbox row exists anyway; deliver to this process's pages at least.
            log.warning("redis publish failed; delivering in-process only", exc_info=True)
    for uid in ids:
        BROKER.dispatch(uid, event)


def _ensure_redis_listener() -> None:
    global _listener
    with _redis_lock:
        if _listener is not None and _listener.is_alive():
            return
        _listener = threading.Thread(target=_listen_forever, name="shequ-live-redis", daemon=True)
        _listener.start()


def _listen_forever() -> None:
    import redis  # noqa: PLC0415

    while True:
        try:
            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=5, health_check_interval=30
            )
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
            for message in pubsub.listen():
                if message.get("type") != "pmessage":
                    continue
                channel = (
                    message["channel"].decode()
                    if isinstance(message["channel"], bytes)
                    else message["channel"]
                )
                try:
                    user_id = int(channel.rsplit(":", 1)[1])
                    event = json.loads(message["data"])
                except (ValueError, IndexError):
                    continue
                BROKER.dispatch(user_id, event)
        except Exception:
            log.warning("redis live listener lost its connection; retrying", exc_info=True)
            time.sleep(1)


def format_sse(event: dict, *, name: str = "notification") -> str:
    data = json.dumps(event, ensure_ascii=False, default=str)
    return f"event: {name}\ndata: {data}\n\n"
