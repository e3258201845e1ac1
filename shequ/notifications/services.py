"""notify(): the one way any app tells people something happened.

Writes an inbox row per recipient (once per `key`), in the caller's transaction; for each new row
it writes one outbox row per external channel the recipient chose for this verb and queues its
delivery job (same transaction, so nothing is lost and nothing is sent for a rolled-back change);
after commit it pushes a live event to the recipients' open pages.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import F

from shequ.core import clock, jobs
from shequ.core.errors import Invalid, NotFound
from shequ.notifications import live
from shequ.notifications.models import EXTERNAL_CHANNELS, Channel, Delivery, Notification, Preference
from shequ.notifications.selectors import channels_for_users
from shequ.notifications.verbs import ANY, VERBS

log = logging.getLogger("shequ.notifications")

DELIVERY_MAX_ATTEMPTS = 6
DELIVERY_BACKOFF_SECONDS = 30  # 30 s, 60 s, 2 min, 4 min, 8 min …


def notify(
    *,
    recipients: Iterable,
    verb: str,
    title: str,
    body: str = "",
    url: str = "",
    key: str,
    live_push: bool = True,
) -> int:
    """Tell each recipient (User objects or ids). Returns how many new inbox rows were written."""
    ids = sorted({getattr(r, "pk", r) for r in recipients if r is not None})
    if not ids:
        return 0
    existing = set(
        Notification.objects.filter(key=key, recipient_id__in=ids).values_list("recipient_id", flat=True)
    )
    new_ids = [uid for uid in ids if uid not in existing]
    if not new_ids:
        return 0
    rows = [
        Notification(recipient_id=uid, verb=verb, title=title[:200], body=body, url=url[:300], key=key)
        for uid in new_ids
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = dict(
        Notification.objects.filter(key=key, recipient_id__in=new_ids).values_list("recipient_id", "id")
    )
    _queue_deliveries(created, verb=verb)
    if live_push:
        event = {"type": "notification", "verb": verb, "title": title[:200], "url": url, "key": key}
        user_ids = list(created)
        transaction.on_commit(lambda: _push(user_ids, event, created))
    return len(created)


def _push(user_ids: list[int], event: dict, notification_ids: dict[int, int]) -> None:
    try:
        for uid in user_ids:
            live.publish([uid], {**event, "id": notification_ids.get(uid)})
    except Exception:  # live updates are best effort; the inbox row is the record
        log.warning("live push failed", exc_info=True)


def _queue_deliveries(created: dict[int, int], *, verb: str) -> None:
    if not created:
        return
    wanted = channels_for_users(user_ids=list(created), verb=verb)
    deliveries = [
        Delivery(notification_id=nid, channel=channel)
        for uid, nid in created.items()
        for channel in wanted.get(uid, ())
    ]
    if not deliveries:
        return
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    for delivery_id in Delivery.objects.filter(
        notification_id__in=list(created.values()), status=Delivery.Status.PENDING, attempts=0
    ).values_list("id", flat=True):
        jobs.enqueue(
            "notifications.deliver", delivery_id=delivery_id, dedupe_key=f"notif-delivery:{delivery_id}:0"
        )


def delivery_send(*, delivery_id: int) -> str:
    """Send one outbox row (the job body). Claims the row with a conditional UPDATE so it is sent once."""
    from shequ.notifications.senders import OutgoingMessage, Undeliverable, sender_for  # noqa: PLC0415

    row = (
        Delivery.objects.select_related("notification", "notification__recipient")
        .filter(id=delivery_id)
        .first()
    )
    if row is None or row.status != Delivery.Status.PENDING:
        return "skip"
    now = clock.now()
    claimed = Delivery.objects.filter(
        id=delivery_id, status=Delivery.Status.PENDING, attempts=row.attempts
    ).update(status=Delivery.Status.SENT, sent_at=now, attempts=F("attempts") + 1, last_error="")
    if not claimed:
        return "skip"
    note = row.notification
    user = note.recipient
    message = OutgoingMessage(
        delivery_id=row.pk,
        channel=row.channel,
        user_id=user.pk,
        phone=user.phone,
        email=user.email,
        name=user.real_name,
        title=note.title,
        body=note.body,
        url=note.url,
    )
    try:
        sender_for(row.channel).send(message)
    except Undeliverable as exc:
        Delivery.objects.filter(id=delivery_id).update(
            status=Delivery.Status.SKIPPED, sent_at=None, last_error=str(exc)[:2000]
        )
        return "skipped"
    except Exception as exc:
        attempts = row.attempts + 1
        if attempts >= DELIVERY_MAX_ATTEMPTS:
            Delivery.objects.filter(id=delivery_id).update(
                status=Delivery.Status.FAILED, sent_at=None, last_error=repr(exc)[:2000]
            )
            log.warning("delivery %s failed for good: %r", delivery_id, exc)
            return "failed"
        retry_at = now + timedelta(seconds=DELIVERY_BACKOFF_SECONDS * 2 ** (attempts - 1))
        Delivery.objects.filter(id=delivery_id).update(
            status=Delivery.Status.PENDING,
            sent_at=None,
            next_attempt_at=retry_at,
            last_error=repr(exc)[:2000],
        )
        jobs.enqueue(
            "notifications.deliver",
            run_at=retry_at,
            delivery_id=delivery_id,
            dedupe_key=f"notif-delivery:{delivery_id}:{attempts}",
        )
        return "retry"
    return "sent"


def notification_mark_read(*, user, notification_id: int) -> Notification:
    note = Notification.objects.filter(id=notification_id, recipient=user).first()
    if note is None:
        raise NotFound("没有找到这条消息。", "Notification not found.")
    if note.read_at is None:
        note.read_at = clock.now()
        Notification.objects.filter(id=note.pk, read_at__isnull=True).update(read_at=note.read_at)
        transaction.on_commit(lambda: live.publish([user.pk], {"type": "read"}))
    return note


def notifications_mark_all_read(*, user) -> int:
    count = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=clock.now())
    if count:
        transaction.on_commit(lambda: live.publish([user.pk], {"type": "read"}))
    return count


def preferences_set(*, user, choices: dict[tuple[str, str], bool]) -> int:
    """Store a user's choices {(verb, channel): enabled}. Unknown verbs or channels are refused."""
    valid_channels = {str(c) for c in EXTERNAL_CHANNELS}
    for verb, channel in choices:
        if verb not in VERBS or channel not in valid_channels:
            raise Invalid(
                "消息类型或渠道不正确。",
                "Unknown message kind or channel.",
                fields={"verb": verb, "channel": channel},
            )
    with transaction.atomic():
        for (verb, channel), enabled in choices.items():
            Preference.objects.update_or_create(
                user=user, verb=verb, channel=channel, defaults={"enabled": bool(enabled)}
            )
    return len(choices)


__all__ = [
    "ANY",
    "Channel",
    "delivery_send",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify",
    "preferences_set",
]
