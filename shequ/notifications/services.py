"""notify(): the one way any app tells people something happened.

Writes an inbox row per recipient (once per `key`), in the caller's transaction; for each new row
it writes one outbox row per external channel the recipient chose for this verb and queues its
delivery job (same transaction, so nothing is lost and nothing is sent for a rolled-back change);
after commit it pushes a live event to the recipients' open pages.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F

from shequ.core import clock, jobs
from shequ.core.errors import Invalid, NotFound
from shequ.notifications import live
from shequ.notifications.models import EXTERNAL_CHANNELS, Channel, Delivery, Notification, Preference
from shequ.notifications.selectors import channels_for_verbs
from shequ.notifications.verbs import ANY, VERBS

log = logging.getLogger("shequ.notifications")

DELIVERY_MAX_ATTEMPTS = 6
DELIVERY_BACKOFF_SECONDS = 30  # 30 s, 60 s, 2 min, 4 min, 8 min …


@dataclass(frozen=True)
class Message:
    """One thing to tell: the same title to each recipient (user ids), once per `key`."""

    recipients: frozenset[int]
    verb: str
    title: str
    key: str
    body: str = ""
    url: str = ""


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
    ids = frozenset(getattr(r, "pk", r) for r in recipients if r is not None)
    message = Message(recipients=ids, verb=verb, title=title, body=body, url=url, key=key)
    return notify_many([message], live_push=live_push)


def notify_many(messages: Iterable[Message], *, live_push: bool = True) -> int:
    """`notify` for a batch (a sweep's escalations): a few statements whatever the number of messages
    or recipients — the inbox rows in one INSERT, the channel choices in two reads, their outbox rows
    in one INSERT, and one delivery job per `DELIVERY_BATCH` outbox rows. Returns how many new inbox
    rows were written."""
    wanted = {m.key: m for m in messages if m.recipients}
    if not wanted:
        return 0
    created = _insert_inbox(wanted)  # {key: {user id: new notification id}}
    if not created:
        return 0
    by_verb: dict[str, dict[int, int]] = {}
    for key, per_user in created.items():
        by_verb.setdefault(wanted[key].verb, {}).update({nid: uid for uid, nid in per_user.items()})
    _queue_deliveries(by_verb)
    if live_push:
        pushes = {
            uid: {
                "type": "notification",
                "verb": m.verb,
                "title": m.title[:200],
                "url": m.url,
                "key": m.key,
                "id": nid,
            }
            for key, per_user in created.items()
            for m in (wanted[key],)
            for uid, nid in per_user.items()
        }
        transaction.on_commit(lambda: _push(pushes))
    return sum(len(per_user) for per_user in created.values())


def _set_based() -> bool:
    """PostgreSQL writes a batch with `INSERT … SELECT … FROM unnest(arrays)`: a handful of parameters
    whatever the batch size. Other databases take the portable `bulk_create` path (the same rows)."""
    return connection.vendor == "postgresql"


def _insert_inbox(wanted: dict[str, Message]) -> dict[str, dict[int, int]]:
    """One inbox row per (recipient, key) not there yet, in key then recipient order; returns the new
    rows' ids {key: {user id: id}}. A row already there (an earlier notify, or a concurrent one) is left
    as it is and not returned, so it is neither delivered nor pushed again."""
    created: dict[str, dict[int, int]] = {}
    if _set_based():
        idx, uids = [], []
        for n, m in enumerate(wanted.values(), start=1):
            for uid in sorted(m.recipients):
                idx.append(n)
                uids.append(uid)
        ms = list(wanted.values())
        with connection.cursor() as cur:
            cur.execute(
                f"""
                INSERT INTO {Notification._meta.db_table}
                       (recipient_id, verb, title, body, url, key, created_at)
                SELECT r.uid, m.verb, m.title, m.body, m.url, m.key, %s
                FROM unnest(%s::int[], %s::bigint[]) AS r(n, uid)
                JOIN unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[])
                     WITH ORDINALITY AS m(key, verb, title, body, url, n) USING (n)
                ORDER BY r.n, r.uid
                ON CONFLICT (recipient_id, key) DO NOTHING
                RETURNING id, recipient_id, key
                """,
                [
                    clock.now(),
                    idx,
                    uids,
                    [m.key for m in ms],
                    [m.verb for m in ms],
                    [m.title[:200] for m in ms],
                    [m.body for m in ms],
                    [m.url[:300] for m in ms],
                ],
            )
            for nid, uid, key in cur.fetchall():
                created.setdefault(key, {})[uid] = nid
        return created
    keys = list(wanted)
    existing = set(Notification.objects.filter(key__in=keys).values_list("recipient_id", "key"))
    rows = [
        Notification(
            recipient_id=uid, verb=m.verb, title=m.title[:200], body=m.body, url=m.url[:300], key=m.key
        )
        for m in wanted.values()
        for uid in sorted(m.recipients)
        if (uid, m.key) not in existing
    ]
    if not rows:
        return created
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    for nid, uid, key in Notification.objects.filter(key__in=keys).values_list("id", "recipient_id", "key"):
        if (uid, key) not in existing:
            created.setdefault(key, {})[uid] = nid
    return created


def _push(pushes: dict[int, dict]) -> None:
    """One live event per user (a batch that tells someone several things pushes the last one)."""
    try:
        for uid, event in pushes.items():
            live.publish([uid], event)
    except Exception:  # live updates are best effort; the inbox row is the record
        log.warning("live push failed", exc_info=True)


DELIVERY_BATCH = 200


def _queue_deliveries(by_verb: dict[str, dict[int, int]]) -> None:
    """Outbox rows for new inbox rows ({verb: {notification id: user id}}) and their delivery jobs.
    Who gets which channel is `channels_for_verbs` (two reads for the whole batch)."""
    channels = channels_for_verbs(wanted={verb: set(notes.values()) for verb, notes in by_verb.items()})
    pairs = [
        (nid, ch)
        for verb, notes in by_verb.items()
        for nid, uid in sorted(notes.items())
        for ch in channels.get((verb, uid), ())
    ]
    if not pairs:
        return
    if _set_based():
        with connection.cursor() as cur:
            cur.execute(
                f"""
                INSERT INTO {Delivery._meta.db_table}
                       (notification_id, channel, status, attempts, last_error, created_at)
                SELECT d.nid, d.ch, %s, 0, '', %s
                FROM unnest(%s::bigint[], %s::text[]) WITH ORDINALITY AS d(nid, ch, n)
                ORDER BY d.n
                ON CONFLICT (notification_id, channel) DO NOTHING
                RETURNING id
                """,
                [Delivery.Status.PENDING, clock.now(), [p[0] for p in pairs], [p[1] for p in pairs]],
            )
            ids = sorted(row[0] for row in cur.fetchall())
    else:
        Delivery.objects.bulk_create(
            [Delivery(notification_id=nid, channel=ch) for nid, ch in pairs],
            ignore_conflicts=True,
            batch_size=2000,
        )
        note_ids = [nid for notes in by_verb.values() for nid in notes]
        ids = sorted(
            Delivery.objects.filter(
                notification_id__in=note_ids, status=Delivery.Status.PENDING, attempts=0
            ).values_list("id", flat=True)
        )
    chunks = [ids[i : i + DELIVERY_BATCH] for i in range(0, len(ids), DELIVERY_BATCH)]
    jobs.enqueue_many(
        "notifications.deliver_many",
        [{"delivery_ids": chunk} for chunk in chunks],
        dedupe_keys=[f"notif-deliveries:{chunk[0]}-{chunk[-1]}:0" for chunk in chunks],
    )


def _message(row: Delivery):
    from shequ.notifications.senders import OutgoingMessage  # noqa: PLC0415

    note = row.notification
    user = note.recipient
    return OutgoingMessage(
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


def _send(row: Delivery, *, attempts_before: int) -> str:
    """Send one claimed outbox row (already marked sent); on failure mark it skipped, failed, or due
    again with exponential backoff (a retry job of its own)."""
    from shequ.notifications.senders import Undeliverable, sender_for  # noqa: PLC0415

    try:
        sender_for(row.channel).send(_message(row))
    except Undeliverable as exc:
        Delivery.objects.filter(id=row.pk).update(
            status=Delivery.Status.SKIPPED, sent_at=None, last_error=str(exc)[:2000]
        )
        return "skipped"
    except Exception as exc:
        attempts = attempts_before + 1
        if attempts >= DELIVERY_MAX_ATTEMPTS:
            Delivery.objects.filter(id=row.pk).update(
                status=Delivery.Status.FAILED, sent_at=None, last_error=repr(exc)[:2000]
            )
            log.warning("delivery %s failed for good: %r", row.pk, exc)
            return "failed"
        retry_at = clock.now() + timedelta(seconds=DELIVERY_BACKOFF_SECONDS * 2 ** (attempts - 1))
        Delivery.objects.filter(id=row.pk).update(
            status=Delivery.Status.PENDING,
            sent_at=None,
            next_attempt_at=retry_at,
            last_error=repr(exc)[:2000],
        )
        jobs.enqueue(
            "notifications.deliver",
            run_at=retry_at,
            delivery_id=row.pk,
            dedupe_key=f"notif-delivery:{row.pk}:{attempts}",
        )
        return "retry"
    return "sent"


def delivery_send(*, delivery_id: int) -> str:
    """Send one outbox row (a retry's job body). Claims the row with a conditional UPDATE so it is sent once."""
    row = (
        Delivery.objects.select_related("notification", "notification__recipient")
        .filter(id=delivery_id)
        .first()
    )
    if row is None or row.status != Delivery.Status.PENDING:
        return "skip"
    claimed = Delivery.objects.filter(
        id=delivery_id, status=Delivery.Status.PENDING, attempts=row.attempts
    ).update(status=Delivery.Status.SENT, sent_at=clock.now(), attempts=F("attempts") + 1, last_error="")
    if not claimed:
        return "skip"
    return _send(row, attempts_before=row.attempts)


def deliveries_send(*, delivery_ids: list[int]) -> dict[str, int]:
    """Send a batch of first attempts (the fan-out job's body): the rows still pending are locked
    (others skipped) and claimed with one UPDATE, then sent one by one; failures retry on their own."""
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification", "notification__recipient")
            .filter(id__in=delivery_ids, status=Delivery.Status.PENDING, attempts=0)
        )
        Delivery.objects.filter(id__in=[r.pk for r in rows]).update(
            status=Delivery.Status.SENT, sent_at=clock.now(), attempts=F("attempts") + 1, last_error=""
        )
        counts: dict[str, int] = {}
        for row in rows:
            result = _send(row, attempts_before=0)
            counts[result] = counts.get(result, 0) + 1
    return counts


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
    "Message",
    "deliveries_send",
    "notify",
    "notify_many",
    "preferences_set",
]
