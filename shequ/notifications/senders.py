"""Senders deliver outbox rows by one external channel.

Each sender has `send_many(messages)`, the batch the delivery job claimed for its channel (up to
`services.DELIVERY_BATCH`), and answers the failures by delivery id: an `Undeliverable` marks the row
as skipped (no address, no retry), any other exception is retried with backoff; a message not in the
answer was sent. If `send_many` itself raises, every message of the batch is retried. The base class's
`send_many` calls `send(message)` for each message, so a sender may implement only `send`; the logging
sender (dev, bench, SMS and WeChat until a gateway is configured) sends a batch in one call.
`message.delivery_id` is stable across retries: a provider that supports idempotency keys should be
given it, so a retry after a crash between the provider's "accepted" and our commit is not a second
message.

Which class serves a channel comes from `settings.SHEQU_NOTIFICATION_SENDERS` (channel → dotted path);
the defaults are `EmailSender` when `EMAIL_HOST` is configured and `LoggingSender` otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string

log = logging.getLogger("shequ.notifications")


class Undeliverable(Exception):
    """The recipient has no address on this channel; do not retry."""


@dataclass(frozen=True)
class OutgoingMessage:
    delivery_id: int
    channel: str
    user_id: int
    phone: str
    email: str
    name: str
    title: str
    body: str
    url: str


class Sender:
    channel = ""

    def send(self, message: OutgoingMessage) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def send_many(self, messages: Sequence[OutgoingMessage]) -> dict[int, Exception]:
        """Send a batch; answer the failures {delivery id: exception} (absent: sent). This default sends
        one by one; a channel with a batch API overrides it."""
        failures: dict[int, Exception] = {}
        for message in messages:
            try:
                self.send(message)
            except Exception as exc:
                failures[message.delivery_id] = exc
        return failures


class LoggingSender(Sender):
    """Writes the messages to the log (the default for SMS and WeChat until a gateway is configured):
    one log record and one update of `sent` per batch."""

    sent: list[OutgoingMessage] = []  # the last 100 messages, for drills and tests
    batches: list[int] = []  # the sizes of the last 100 batches (one call each), for tests

    def send(self, message: OutgoingMessage) -> None:
        self.send_many([message])

    def send_many(self, messages: Sequence[OutgoingMessage]) -> dict[int, Exception]:
        if not messages:
            return {}
        if log.isEnabledFor(logging.INFO):
            log.info(
                "%s message(s):\n%s",
                len(messages),
                "\n".join(f"[{m.channel}] to user {m.user_id}: {m.title} {m.url}" for m in messages),
            )
        LoggingSender.sent = [*LoggingSender.sent, *messages[-100:]][-100:]
        LoggingSender.batches = [*LoggingSender.batches[-99:], len(messages)]
        return {}


class EmailSender(Sender):
    """E-mail over Django's mail backend (SMTP when EMAIL_HOST is set)."""

    channel = "email"

    def send(self, message: OutgoingMessage) -> None:
        self._email(message).send(fail_silently=False)

    def send_many(self, messages: Sequence[OutgoingMessage]) -> dict[int, Exception]:
        """The batch over one connection to the mail server; each message succeeds or fails alone."""
        failures: dict[int, Exception] = {}
        with get_connection(fail_silently=False) as connection:
            for message in messages:
                try:
                    email = self._email(message)
                    email.connection = connection
                    email.send(fail_silently=False)
                except Exception as exc:
                    failures[message.delivery_id] = exc
        return failures

    @staticmethod
    def _email(message: OutgoingMessage) -> EmailMessage:
        if not message.email:
            raise Undeliverable("no e-mail address")
        base = getattr(settings, "SHEQU_SITE_URL", "").rstrip("/")
        link = f"{base}{message.url}" if message.url.startswith("/") else message.url
        body = "\n\n".join(part for part in (message.body, link) if part)
        return EmailMessage(
            subject=message.title,
            body=body,
            to=[message.email],
            headers={"X-Shequ-Delivery": str(message.delivery_id)},
        )


def sender_for(channel: str) -> Sender:
    configured = getattr(settings, "SHEQU_NOTIFICATION_SENDERS", {}) or {}
    if channel in configured:
        return import_string(configured[channel])()
    if channel == "email" and settings.EMAIL_HOST:
        return EmailSender()
    return LoggingSender()
