"""Inbox, preferences and the live stream (server-sent events)."""

from __future__ import annotations

import asyncio
import queue

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shequ.core.views import domain_errors
from shequ.notifications import live, selectors, services
from shequ.notifications.models import Notification

HEARTBEAT_SECONDS = 15.0
STREAM_MAX_SECONDS = 15 * 60  # the browser reconnects; keeps dead connections from piling up


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.inbox(user=request.user, unread_only=unread_only), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": unread_only})


def _safe_next(request: HttpRequest, url: str) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@login_required
@require_POST
@domain_errors
def read(request: HttpRequest, pk: int) -> HttpResponse:
    note: Notification = services.notification_mark_read(user=request.user, notification_id=pk)
    if request.POST.get("open") and (target := _safe_next(request, note.url)):
        return HttpResponseRedirect(target)
    if request.headers.get("HX-Request"):
        return render(request, "notifications/_item.html", {"n": note})
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("已全部标为已读。"))
    return redirect("notifications:inbox")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    rows = selectors.preference_matrix(user=request.user)
    if request.method == "POST":
        choices = {
            (row.verb, channel): f"{row.verb}:{channel}" in request.POST
            for row in rows
            for channel, _label, _on in row.channels
        }
        services.preferences_set(user=request.user, choices=choices)
        messages.success(request, _("消息设置已保存。"))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "rows": rows,
            "has_email": bool(getattr(request.user, "email", "")),  # login_required: a User
            # Name only the channels that have a column: never promise WeChat when it is not offered.
            "channel_names": "、".join(str(label) for _c, label, _on in (rows[0].channels if rows else [])),
        },
    )


async def stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Server-sent events for the logged-in user: `hello` on connect, `notification` per new message."""
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse(status=401)
    user_id = user.pk
    unread = await sync_to_async(_unread_released)(user_id)
    if isinstance(request, ASGIRequest):
        body = _async_events(user_id, unread)
    else:  # runserver / WSGI test server: a thread per open stream
        body = _sync_events(user_id, unread)
    response = StreamingHttpResponse(body, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"
    return response


def _unread_released(user_id: int) -> int:
    """The unread count, then the connection goes back to the pool at once: a stream stays open for
    minutes, and holding a database connection per open stream would exhaust the pool."""
    try:
        return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
    finally:
        if not connection.in_atomic_block:  # (tests run inside a transaction)
            connection.close()


def _hello(unread: int) -> str:
    return "retry: 3000\n\n" + live.format_sse({"type": "hello", "unread": unread}, name="hello")


async def _async_events(user_id: int, unread: int):
    loop = asyncio.get_running_loop()
    events: asyncio.Queue[dict] = asyncio.Queue(maxsize=1000)

    def deliver(event: dict) -> None:
        loop.call_soon_threadsafe(events.put_nowait, event)

    token = live.BROKER.subscribe(user_id, deliver)
    started = loop.time()
    try:
        yield _hello(unread)
        while loop.time() - started < STREAM_MAX_SECONDS:
            try:
                event = await asyncio.wait_for(events.get(), timeout=HEARTBEAT_SECONDS)
            except TimeoutError:
                yield ": ping\n\n"
                continue
            event = {
                **event,
                "unread": await sync_to_async(_unread_released)(user_id),
            }
            yield live.format_sse(event, name=event.get("type", "notification"))
    finally:
        live.BROKER.unsubscribe(token)


def _sync_events(user_id: int, unread: int):
    import time  # noqa: PLC0415

    events: queue.Queue[dict] = queue.Queue(maxsize=1000)
    token = live.BROKER.subscribe(user_id, events.put_nowait)
    started = time.monotonic()
    try:
        yield _hello(unread)
        while time.monotonic() - started < STREAM_MAX_SECONDS:
            try:
                event = events.get(timeout=HEARTBEAT_SECONDS)
            except queue.Empty:
                yield ": ping\n\n"
                continue
            event = {
                **event,
                "unread": Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count(),
            }
            yield live.format_sse(event, name=event.get("type", "notification"))
    finally:
        live.BROKER.unsubscribe(token)
