"""Background delivery of the outbox (e-mail, SMS, WeChat)."""

from __future__ import annotations

from shequ.core.jobs import handler
from shequ.notifications.services import deliveries_send, delivery_send


@handler("notifications.deliver")
def deliver(*, delivery_id: int) -> None:
    """One row (retry jobs queued before retries were batched)."""
    delivery_send(delivery_id=delivery_id)


@handler("notifications.deliver_many")
def deliver_many(*, delivery_ids: list[int], attempts: int = 0) -> None:
    """A batch of outbox rows at their `attempts`-th try (0: the fan-out's first attempts)."""
    deliveries_send(delivery_ids=delivery_ids, attempts=attempts)
