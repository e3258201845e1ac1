"""Background delivery of the outbox (e-mail, SMS, WeChat)."""

from __future__ import annotations

from shequ.core.jobs import handler
from shequ.notifications.services import delivery_send


@handler("notifications.deliver")
def deliver(*, delivery_id: int) -> None:
    delivery_send(delivery_id=delivery_id)
