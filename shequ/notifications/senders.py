"""Senders deliver one outbox row by one external channel.

Each sender has `send(message)`; raising `Undeliverable` marks the row as skipped (no address, no
retry), any other exception is retried with backoff. `message.delivery_id` is stable across retries:
a provider that supports idempotency keys should be given it, so a retry after a crash between the
provider's "accepted" and our commit is not a second message.

Which class serves a channel comes from `settings.SHEQU_NOTIFICATION_SENDERS` (channel → dotted path);
the defaults are `EmailSender` when `EMAIL_HOST` is configured and `LoggingSender` otherwise.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
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


class LoggingSender(Sender):
    """Writes the message to the log (the default for SMS and WeChat until a gateway is configured)."""

    sent: list[OutgoingMessage] = []  # the last messages, for drills and tests

    def send(self, message: OutgoingMessage) -> None:
        log.info("[%s] to user %s: %s %s", message.channel, message.user_id, message.title, message.url)
        LoggingSender.sent = [*LoggingSender.sent[-99:], message]


class EmailSender(Sender):
    """E-mail over Django's mail backend (SMTP when EMAIL_HOST is set)."""

    channel = "email"

    def send(self, message: OutgoingMessage) -> None:
        if not message.email:
            raise Undeliverable("no e-mail address")
        base = getattr(settings, "SHEQU_SITE_URL", "").rstrip("/")
        link = f"{base}{message.url}" if message.url.startswith("/") else message.url
        body = "\n\n".join(part for part in (message.body, link) if part)
        email = EmailMessage(
            subject=message.title,
            body=body,
            to=[message.email],
            headers={"X-Shequ-Delivery": str(message.delivery_id)},
        )
        email.send(fail_silently=False)


def sender_for(channel: str) -> Sender:
    configured = getattr(settings, "SHEQU_NOTIFICATION_SENDERS", {}) or {}
    if channel in configured:
        return import_string(configured[channel])()
    if channel == "email" and settings.EMAIL_HOST:
        return EmailSender()
    return LoggingSender()
