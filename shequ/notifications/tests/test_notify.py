from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from shequ.core import clock
from shequ.core.models import Job
from shequ.notifications import services
from shequ.notifications.models import Delivery, Notification, Preference
from shequ.notifications.senders import LoggingSender, Sender


@pytest.fixture
def emailed(world, settings):
    settings.EMAIL_HOST = "smtp.example.test"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = world.handler_x
    user.email = "wang@example.test"
    user.save(update_fields=["email"])
    return user


def test_notify_writes_one_inbox_row_per_recipient_and_key(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        n = services.notify(
            recipients=[world.resident_a, world.resident_b.pk, None],
            verb="appeal.replied",
            title="有回复",
            key="appeal:1:reply:1",
        )
        again = services.notify(
            recipients=[world.resident_a], verb="appeal.replied", title="有回复", key="appeal:1:reply:1"
        )
    assert (n, again) == (2, 0)
    assert Notification.objects.filter(key="appeal:1:reply:1").count() == 2


def test_email_goes_through_the_outbox_once(emailed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[emailed],
            verb="appeal.dispatched",
            title="新诉求",
            body="电梯坏了",
            url="/appeals/1/",
            key="appeal:1:dispatched",
        )
    row = Delivery.objects.get(channel="email")
    assert row.status == Delivery.Status.SENT and row.attempts == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "新诉求"
    assert mail.outbox[0].extra_headers["X-Shequ-Delivery"] == str(row.pk)
    # the SMS default for dispatches goes to the logging sender
    assert Delivery.objects.get(channel="sms").status == Delivery.Status.SENT
    assert any(m.delivery_id == Delivery.objects.get(channel="sms").pk for m in LoggingSender.sent)
    # running the job again (a retry after a crash, a second worker) sends nothing more
    assert services.delivery_send(delivery_id=row.pk) == "skip"
    assert len(mail.outbox) == 1


def test_preferences_choose_channels(emailed, django_capture_on_commit_callbacks):
    services.preferences_set(
        user=emailed, choices={("appeal.dispatched", "email"): False, ("appeal.dispatched", "wechat"): True}
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[emailed], verb="appeal.dispatched", title="新诉求", key="k1")
    assert sorted(Delivery.objects.values_list("channel", flat=True)) == ["sms", "wechat"]
    assert mail.outbox == []


def test_unknown_verb_uses_the_catch_all_choice(emailed, django_capture_on_commit_callbacks):
    services.preferences_set(user=emailed, choices={("*", "email"): False})
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[emailed], verb="some.new.thing", title="x", key="k2")
    assert not Delivery.objects.exists()


def test_no_address_is_skipped_not_retried(world, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = "smtp.example.test"
    Preference.objects.create(user=world.resident_a, verb="appeal.replied", channel="email", enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[world.resident_a], verb="appeal.replied", title="x", key="k3")
    assert not Delivery.objects.filter(channel="email").exists()  # no e-mail address: no outbox row at all


class Flaky(Sender):
    """A gateway that fails its first two calls (each message is a call: the default send_many)."""

    calls = 0

    def send(self, message):
        Flaky.calls += 1
        if Flaky.calls < 3:
            raise ConnectionError("gateway down")


def test_failed_sends_retry_with_exponential_backoff(world, settings, django_capture_on_commit_callbacks):
    from shequ.core.jobs import run_once

    settings.SHEQU_NOTIFICATION_SENDERS = {"sms": "shequ.notifications.tests.test_notify.Flaky"}
    Flaky.calls = 0
    t0 = clock.now()
    with clock.frozen(t0), django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[world.handler_x], verb="appeal.escalated", title="升级", key="k4")
    row = Delivery.objects.get(channel="sms")
    assert row.status == Delivery.Status.PENDING and row.attempts == 1 and "gateway down" in row.last_error
    assert (row.next_attempt_at - t0).total_seconds() == 30
    retry = Job.objects.get(name="notifications.deliver_many", status="queued")
    assert retry.payload == {"delivery_ids": [row.pk], "attempts": 1} and retry.run_at == row.next_attempt_at
    run_once(now=t0 + timedelta(seconds=10))
    assert Delivery.objects.get(pk=row.pk).attempts == 1  # not due yet
    with clock.frozen(t0 + timedelta(seconds=31)):
        run_once(now=clock.now())
    row.refresh_from_db()
    assert row.attempts == 2 and (row.next_attempt_at - (t0 + timedelta(seconds=31))).total_seconds() == 60
    with clock.frozen(t0 + timedelta(seconds=100)):
        run_once(now=clock.now())
    row.refresh_from_db()
    assert row.status == Delivery.Status.SENT and row.attempts == 3 and Flaky.calls == 3
    assert retry.pk


def test_gives_up_after_max_attempts(world, settings):
    settings.SHEQU_NOTIFICATION_SENDERS = {"sms": "shequ.notifications.tests.test_notify.Flaky"}
    Flaky.calls = -100
    services.notify(recipients=[world.handler_x], verb="appeal.escalated", title="升级", key="k5")
    row = Delivery.objects.get(channel="sms")
    for _ in range(services.DELIVERY_MAX_ATTEMPTS):
        services.delivery_send(delivery_id=row.pk)
    row.refresh_from_db()
    assert row.status == Delivery.Status.FAILED and row.attempts == services.DELIVERY_MAX_ATTEMPTS


def test_the_preferences_form_saves_in_one_upsert_and_a_second_save_updates(world, client):
    """The whole matrix (every verb × channel) in one query, not a read and a write per cell; saving
    again changes the stored choices and never adds rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shequ.notifications import selectors

    user = world.resident_a
    rows = selectors.preference_matrix(user=user)
    cells = [(row.verb, channel) for row in rows for channel, _label, _on in row.channels]
    assert len(cells) > 20
    with CaptureQueriesContext(connection) as ctx:
        services.preferences_set(user=user, choices=dict.fromkeys(cells, True))
    assert len(ctx.captured_queries) == 1
    services.preferences_set(user=user, choices={cells[0]: False})
    assert Preference.objects.filter(user=user).count() == len(cells)
    assert Preference.objects.get(user=user, verb=cells[0][0], channel=cells[0][1]).enabled is False
    client.force_login(user)
    response = client.post("/notifications/preferences", {f"{cells[1][0]}:{cells[1][1]}": "on"})
    assert response.status_code == 302
    on = set(Preference.objects.filter(user=user, enabled=True).values_list("verb", "channel"))
    assert on == {cells[1]} and Preference.objects.filter(user=user).count() == len(cells)
