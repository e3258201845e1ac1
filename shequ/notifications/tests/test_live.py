"""Live updates: the broker, the ASGI event stream, and Redis fan-out between processes."""

from __future__ import annotations

import asyncio
import json
import queue
import subprocess
import time

import pytest
from django.db import transaction

from shequ.notifications import live, services


def test_broker_fans_out_per_user_and_unsubscribes():
    got_a: list[dict] = []
    got_b: list[dict] = []
    ta = live.BROKER.subscribe(1001, got_a.append)
    tb = live.BROKER.subscribe(1002, got_b.append)
    try:
        live.publish([1001], {"type": "notification", "title": "x"})
        assert got_a == [{"type": "notification", "title": "x"}] and got_b == []
    finally:
        live.BROKER.unsubscribe(ta)
        live.BROKER.unsubscribe(tb)
    live.publish([1001], {"type": "notification"})
    assert len(got_a) == 1 and live.BROKER.connections(1001) == 0


def test_notify_pushes_only_after_commit(world):
    got: queue.Queue = queue.Queue()
    token = live.BROKER.subscribe(world.resident_a.pk, got.put)
    try:
        with transaction.atomic():
            services.notify(
                recipients=[world.resident_a], verb="appeal.replied", title="有回复", key="k-rolled-back"
            )
            transaction.set_rollback(True)
        assert got.empty()
    finally:
        live.BROKER.unsubscribe(token)


@pytest.mark.django_db(transaction=True)
def test_asgi_stream_sends_hello_then_each_notification(world, client):
    from config.asgi import application

    client.force_login(world.resident_a)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    user_id = world.resident_a.pk

    def notify_in_a_transaction():
        with transaction.atomic():
            services.notify(
                recipients=[user_id],
                verb="appeal.replied",
                title="物业回复了您的诉求",
                url="/appeals/1/",
                key="live-1",
            )

    async def scenario():
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/notifications/stream",
            "raw_path": b"/notifications/stream",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"cookie", cookie)],
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 50000),
        }
        inbox: asyncio.Queue = asyncio.Queue()
        await inbox.put({"type": "http.request", "body": b"", "more_body": False})
        sent: asyncio.Queue = asyncio.Queue()

        async def receive():
            return await inbox.get()

        async def send(message):
            await sent.put(message)

        task = asyncio.create_task(application(scope, receive, send))
        start = await asyncio.wait_for(sent.get(), 10)
        assert start["status"] == 200
        assert dict(start["headers"])[b"Content-Type"] == b"text/event-stream; charset=utf-8"
        hello = (await asyncio.wait_for(sent.get(), 10))["body"].decode()
        assert "event: hello" in hello and '"unread": 0' in hello
        for _ in range(50):  # the stream subscribes as it starts; wait for it
            if live.BROKER.connections(user_id):
                break
            await asyncio.sleep(0.02)
        started = time.monotonic()
        await asyncio.to_thread(notify_in_a_transaction)
        chunk = (await asyncio.wait_for(sent.get(), 5))["body"].decode()
        elapsed = time.monotonic() - started
        await inbox.put({"type": "http.disconnect"})
        await asyncio.wait_for(task, 5)
        return chunk, elapsed

    chunk, elapsed = asyncio.run(scenario())
    assert chunk.startswith("event: notification\n")
    data = json.loads(chunk.split("data: ", 1)[1])
    assert data["title"] == "物业回复了您的诉求" and data["unread"] == 1 and data["url"] == "/appeals/1/"
    assert elapsed < 2
    assert live.BROKER.connections(user_id) == 0  # the stream unsubscribed when the client left


def _redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def test_redis_pubsub_shares_events_between_processes(settings):
    url = "redis://127.0.0.1:6379/15"
    if not _redis_up(url):
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    settings.REDIS_URL = url
    live._redis_client = None
    got: queue.Queue = queue.Queue()
    token = live.BROKER.subscribe(424242, got.put)
    try:
        # Another app process publishes (here: the redis CLI, a separate process).
        deadline = time.monotonic() + 5
        event = None
        while event is None and time.monotonic() < deadline:
            subprocess.run(
                [
                    "redis-cli",
                    "-n",
                    "15",
                    "PUBLISH",
                    "shequ:live:424242",
                    json.dumps({"type": "notification", "title": "来自另一个进程"}),
                ],
                check=True,
                capture_output=True,
            )
            try:
                event = got.get(timeout=0.2)
            except queue.Empty:
                pass
        assert event == {"type": "notification", "title": "来自另一个进程"}
        # and publish() from this process goes through Redis too
        live.publish([424242], {"type": "notification", "title": "本进程"})
        assert got.get(timeout=2)["title"] == "本进程"
    finally:
        live.BROKER.unsubscribe(token)
        live._redis_client = None
