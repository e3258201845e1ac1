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

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Case, TextField, Value, When

from shequ.core import bulk, clock, jobs
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
        with bulk.array_cursor() as cur:  # the arrays sent in binary, not quoted one by one in Python
            cur.execute(
                f"""
                INSERT INTO {Notification._meta.db_table}
                       (recipient_id, verb, title, body, url, key, created_at)
                SELECT r.uid, m.verb, m.title, m.body, m.url, m.key, %s
                FROM unnest(%b::int[], %b::bigint[]) AS r(n, uid)
                JOIN unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::text[])
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


DELIVERY_BATCH = 1000  # outbox rows per delivery job: one claim, one send_many per channel


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
        with bulk.array_cursor() as cur:
            cur.execute(
                f"""
                INSERT INTO {Delivery._meta.db_table}
                       (notification_id, channel, status, attempts, last_error, created_at)
                SELECT d.nid, d.ch, %s, 0, '', %s
                FROM unnest(%b::bigint[], %b::text[]) WITH ORDINALITY AS d(nid, ch, n)
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


def delivery_send(*, delivery_id: int) -> str:
    """Send one outbox row (a retry job queued before retries were batched): the batch path for one row
    at the attempt it is at. Answers "sent", "skipped", "retry", "failed" or "skip" (not pending)."""
    attempts = (
        Delivery.objects.filter(id=delivery_id, status=Delivery.Status.PENDING)
        .values_list("attempts", flat=True)
        .first()
    )
    if attempts is None:
        return "skip"
    counts = deliveries_send(delivery_ids=[delivery_id], attempts=attempts)
    return next(iter(counts), "skip")


def deliveries_send(*, delivery_ids: list[int], attempts: int = 0) -> dict[str, int]:
    """Send a batch of outbox rows that are at their `attempts`-th try (the delivery job's body, for
    the first attempts and for each round of retries). A constant number of statements whatever the
    batch: the rows still pending at that attempt are locked (rows another worker holds are skipped)
    and claimed as sent, with their messages (`_claim_deliveries`: one statement on PostgreSQL; only
    the rows it claimed are sent), handed to each channel's sender in one `send_many` call, and the failures
    recorded with at most three UPDATEs (skipped; due again with backoff, with one retry job for them
    all; failed for good). All in the caller's transaction: a worker that dies mid-batch commits
    nothing, and the job is claimed again and sends the batch again (the delivery id is the provider's
    idempotency key). Returns {outcome: count}."""
    from shequ.notifications.senders import OutgoingMessage, sender_for  # noqa: PLC0415

    if not delivery_ids:
        return {}
    with transaction.atomic():
        rows = _claim_deliveries(delivery_ids, attempts=attempts)
        if not rows:
            return {}
        by_channel: dict[str, list[OutgoingMessage]] = {}
        for did, channel, uid, phone, email, name, title, body, url in rows:
            by_channel.setdefault(channel, []).append(
                OutgoingMessage(
                    delivery_id=did,
                    channel=channel,
                    user_id=uid,
                    phone=phone,
                    email=email,
                    name=name,
                    title=title,
                    body=body,
                    url=url,
                )
            )
        failures: dict[int, Exception] = {}
        for channel, messages in by_channel.items():
            try:
                failures.update(sender_for(channel).send_many(messages))
            except Exception as exc:  # the whole batch failed (gateway down): every message is retried
                failures.update({m.delivery_id: exc for m in messages})
        counts = {"sent": len(rows) - len(failures)}
        counts.update(_record_failures(failures, attempts=attempts + 1))
    return {k: v for k, v in counts.items() if v}


def _claim_deliveries(delivery_ids: list[int], *, attempts: int) -> list[tuple]:
    """Claim the rows still pending at `attempts` (skipping rows another worker holds) as sent, and read
    them with their messages: (id, channel, user id, phone, e-mail, name, title, body, url) in id order.
    PostgreSQL: one statement (`UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED) RETURNING` joined to the
    messages, the ids sent as a binary array). Elsewhere: the locking read, then the conditional UPDATE
    (only the rows it updates are returned)."""
    table = Delivery._meta.db_table
    if _set_based():
        user_table = get_user_model()._meta.db_table
        with bulk.array_cursor() as cur:
            cur.execute(
                f"""
                WITH claimed AS (
                    UPDATE {table} AS d
                       SET status = %s, sent_at = %s, attempts = d.attempts + 1, last_error = ''
                      FROM (SELECT id FROM {table}
                             WHERE id = ANY(%b::bigint[]) AND status = %s AND attempts = %s
                             ORDER BY id FOR UPDATE SKIP LOCKED) AS c
                     WHERE d.id = c.id
                 RETURNING d.id, d.channel, d.notification_id
                )
                SELECT c.id, c.channel, n.recipient_id, u.phone, u.email, u.real_name, n.title, n.body, n.url
                  FROM claimed AS c
                  JOIN {Notification._meta.db_table} AS n ON n.id = c.notification_id
                  JOIN {user_table} AS u ON u.id = n.recipient_id
                 ORDER BY c.id
                """,
                [
                    Delivery.Status.SENT,
                    clock.now(),
                    list(delivery_ids),
                    Delivery.Status.PENDING,
                    attempts,
                ],
            )
            return cur.fetchall()
    rows = list(
        Delivery.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(id__in=delivery_ids, status=Delivery.Status.PENDING, attempts=attempts)
        .order_by("id")
        .values_list(
            "id",
            "channel",
            "notification__recipient_id",
            "notification__recipient__phone",
            "notification__recipient__email",
            "notification__recipient__real_name",
            "notification__title",
            "notification__body",
            "notification__url",
        )
    )
    if not rows:
        return []
    ids = [r[0] for r in rows]
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, attempts = attempts + 1, last_error = ''"
            f" WHERE id IN ({', '.join(['%s'] * len(ids))}) AND status = %s AND attempts = %s"
            " RETURNING id",
            [Delivery.Status.SENT, clock.now(), *ids, Delivery.Status.PENDING, attempts],
        )
        claimed = {row[0] for row in cur.fetchall()}
    return [r for r in rows if r[0] in claimed]


def _record_failures(failures: dict[int, Exception], *, attempts: int) -> dict[str, int]:
    """The failures of one batch (rows claimed as sent, now at `attempts`): skipped (no address), due
    again after the backoff of this attempt (30 s, 60 s, 2 min …, one retry job for the lot), or failed
    for good after `DELIVERY_MAX_ATTEMPTS`. One UPDATE per outcome; each row keeps its own error."""
    from shequ.notifications.senders import Undeliverable  # noqa: PLC0415

    skipped = {i: str(e) for i, e in failures.items() if isinstance(e, Undeliverable)}
    others = {i: repr(e) for i, e in failures.items() if i not in skipped}
    final = attempts >= DELIVERY_MAX_ATTEMPTS
    retry = {} if final else others
    failed = others if final else {}

    def errors(by_id: dict[int, str]) -> Case:
        return Case(
            *[When(id=i, then=Value(e[:2000])) for i, e in by_id.items()],
            default=Value(""),
            output_field=TextField(),
        )

    if skipped:
        Delivery.objects.filter(id__in=list(skipped)).update(
            status=Delivery.Status.SKIPPED, sent_at=None, last_error=errors(skipped)
        )
    if failed:
        Delivery.objects.filter(id__in=list(failed)).update(
            status=Delivery.Status.FAILED, sent_at=None, last_error=errors(failed)
        )
        log.warning("%s deliveries failed for good, e.g. %s: %s", len(failed), *next(iter(failed.items())))
    if retry:
        retry_at = clock.now() + timedelta(seconds=DELIVERY_BACKOFF_SECONDS * 2 ** (attempts - 1))
        Delivery.objects.filter(id__in=list(retry)).update(
            status=Delivery.Status.PENDING, sent_at=None, next_attempt_at=retry_at, last_error=errors(retry)
        )
        ids = sorted(retry)
        jobs.enqueue(
            "notifications.deliver_many",
            run_at=retry_at,
            delivery_ids=ids,
            attempts=attempts,
            dedupe_key=f"notif-deliveries:{ids[0]}-{ids[-1]}:{attempts}",
        )
    return {"skipped": len(skipped), "retry": len(retry), "failed": len(failed)}


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
    # One upsert for the whole form (was one SELECT + write per verb and channel: 383 queries).
    Preference.objects.bulk_create(
        [
            Preference(user=user, verb=verb, channel=channel, enabled=bool(enabled))
            for (verb, channel), enabled in choices.items()
        ],
        update_conflicts=True,
        unique_fields=["user", "verb", "channel"],
        update_fields=["enabled"],
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
