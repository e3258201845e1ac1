"""notify(): the one way any app tells people something happened.

Writes an inbox row per recipient (once per `key`), in the caller's transaction.
Delivery to other channels and live push are added by the notifications module.
"""

from __future__ import annotations

from collections.abc import Iterable

from shequ.notifications.models import Notification


def notify(*, recipients: Iterable, verb: str, title: str, body: str = "", url: str = "", key: str) -> int:
    """Tell each recipient (User objects or ids). Returns how many new inbox rows were written."""
    ids = sorted({getattr(r, "pk", r) for r in recipients if r is not None})
    if not ids:
        return 0
    existing = set(Notification.objects.filter(key=key, recipient_id__in=ids).values_list("recipient_id", flat=True))
    rows = [
        Notification(recipient_id=uid, verb=verb, title=title[:200], body=body, url=url, key=key)
        for uid in ids
        if uid not in existing
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
