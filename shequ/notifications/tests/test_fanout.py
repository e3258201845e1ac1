"""notify_many's set-based fan-out (PostgreSQL `INSERT … SELECT … FROM unnest`) writes the same inbox
rows, outbox rows and delivery jobs as the portable `bulk_create` path, in a constant number of queries."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from shequ.core.models import Job
from shequ.notifications import services
from shequ.notifications.models import Delivery, Notification
from shequ.notifications.services import Message

User = get_user_model()


def _people(n: int, start: int) -> list[int]:
    """n users, every fourth without an e-mail address, and a mix of channel choices."""
    ids = []
    for i in range(n):
        user = User.objects.create_user(
            phone=f"139{start + i:08d}",
            password="x",
            email="" if i % 4 == 0 else f"fan{start + i}@example.test",
        )
        ids.append(user.pk)
        if i % 5 == 1:
            services.preferences_set(user=user, choices={("appeal.escalated", "sms"): False})
        if i % 5 == 2:
            services.preferences_set(
                user=user, choices={("appeal.status", "wechat"): True, ("appeal.status", "email"): False}
            )
        if i % 5 == 3:
            services.preferences_set(user=user, choices={("*", "email"): False, ("*", "wechat"): True})
    return ids


def _messages(ids: list[int], tag: str) -> list[Message]:
    half = len(ids) // 2
    return [
        Message(frozenset(ids), "appeal.escalated", "诉求超时升级", f"{tag}-esc", body="电梯", url="/a/1/"),
        Message(
            frozenset(ids[:half]), "appeal.accepted", "已签收", f"{tag}-acc"
        ),  # governed by appeal.status
        Message(frozenset(ids[half:]), "some.new.thing", "x" * 250, f"{tag}-new"),  # "*", title cut to 200
        Message(frozenset(), "appeal.replied", "nobody", f"{tag}-empty"),
    ]


def _written(tag: str) -> tuple[list, list, int]:
    notes = sorted(
        (n.recipient_id, n.key.split("-", 1)[1], n.verb, n.title, n.body, n.url)
        for n in Notification.objects.filter(key__startswith=f"{tag}-")
    )
    deliveries = sorted(
        (d.notification.recipient_id, d.notification.key.split("-", 1)[1], d.channel, d.status, d.attempts)
        for d in Delivery.objects.select_related("notification").filter(
            notification__key__startswith=f"{tag}-"
        )
    )
    ids = set(Delivery.objects.filter(notification__key__startswith=f"{tag}-").values_list("id", flat=True))
    queued = sum(
        len(job.payload["delivery_ids"])
        for job in Job.objects.filter(name="notifications.deliver_many")
        if set(job.payload["delivery_ids"]) <= ids
    )
    return notes, deliveries, queued


def _run(monkeypatch, *, set_based: bool, ids: list[int], tag: str, existing: list[int]) -> int:
    monkeypatch.setattr(services, "_set_based", lambda: set_based)
    # some rows are there already (an earlier notify): neither written nor delivered again
    services.notify(recipients=existing, verb="appeal.escalated", title="诉求超时升级", key=f"{tag}-esc")
    return services.notify_many(_messages(ids, tag), live_push=False)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's")
def test_set_based_fanout_writes_the_same_rows_as_the_portable_path(db, monkeypatch):
    ids = _people(40, 0)
    with transaction.atomic():
        portable_n = _run(monkeypatch, set_based=False, ids=ids, tag="old", existing=ids[:3])
    with transaction.atomic():
        set_based_n = _run(monkeypatch, set_based=True, ids=ids, tag="new", existing=ids[:3])
    old, new = _written("old"), _written("new")
    assert portable_n == set_based_n == 40 - 3 + 20 + 20
    assert old[0] == new[0] and len(new[0]) == 40 + 20 + 20
    assert (
        old[1] == new[1] and len({d[2] for d in new[1]}) == 3
    )  # email, sms and wechat all chosen by someone
    assert old[2] == new[2] == len(new[1]) > 0
    # a second call writes nothing on either path
    assert services.notify_many(_messages(ids, "new"), live_push=False) == 0
    assert _written("new") == new


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's")
def test_set_based_fanout_queries_do_not_grow_with_recipients(db):
    def count(n: int, start: int) -> int:
        ids = _people(n, start)
        with CaptureQueriesContext(connection) as ctx:
            services.notify_many(_messages(ids, f"q{start}"), live_push=False)
        return len(ctx.captured_queries)

    small, large = count(5, 1000), count(60, 2000)
    # inbox INSERT, preferences, users, outbox INSERT; the delivery jobs' dedupe read and INSERT
    # (one for all chunks); the savepoint pair of the jobs' bulk_create
    assert small == large == 7
