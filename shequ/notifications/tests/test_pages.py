from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.notifications import services
from shequ.notifications.models import Notification, Preference

PAGES = ["notifications:inbox", "notifications:preferences"]


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_login(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_stream_needs_login(client, world):
    assert client.get(reverse("notifications:stream")).status_code == 401


def test_inbox_lists_only_my_messages_with_unread_count(client, world, django_assert_max_num_queries):
    for i in range(12):
        services.notify(recipients=[world.resident_a], verb="appeal.replied", title=f"回复{i}", key=f"k{i}")
    services.notify(recipients=[world.resident_b], verb="appeal.replied", title="别人的消息", key="other")
    client.force_login(world.resident_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("notifications:inbox"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "回复11" in body and "别人的消息" not in body
    assert 'id="unread-count"' in body and ">12<" in body
    assert "notifications/live.js" in body


def test_mark_read_and_open(client, world):
    services.notify(
        recipients=[world.resident_a], verb="appeal.replied", title="回复", url="/appeals/9/", key="k"
    )
    note = Notification.objects.get()
    client.force_login(world.resident_a)
    response = client.post(reverse("notifications:read", args=[note.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/appeals/9/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_open_never_redirects_off_site(client, world):
    services.notify(recipients=[world.resident_a], verb="x", title="t", url="https://evil.example/", key="k")
    note = Notification.objects.get()
    client.force_login(world.resident_a)
    response = client.post(reverse("notifications:read", args=[note.pk]), {"open": "1"})
    assert response["Location"] == reverse("notifications:inbox")


def test_cannot_mark_someone_elses_message(client, world):
    services.notify(recipients=[world.resident_b], verb="x", title="t", key="k")
    note = Notification.objects.get()
    client.force_login(world.resident_a)
    response = client.post(reverse("notifications:read", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_read_all(client, world):
    for i in range(3):
        services.notify(recipients=[world.resident_a], verb="x", title="t", key=f"k{i}")
    client.force_login(world.resident_a)
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_preferences_page_saves_choices(client, world):
    client.force_login(world.resident_a)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200 and "短信" in page.content.decode()
    client.post(reverse("notifications:preferences"), {"appeal.replied:sms": "on"})
    prefs = {(p.verb, p.channel): p.enabled for p in Preference.objects.filter(user=world.resident_a)}
    assert prefs[("appeal.replied", "sms")] is True
    assert prefs[("appeal.replied", "email")] is False


def test_api_inbox(client, world):
    services.notify(recipients=[world.resident_a], verb="x", title="t", key="k")
    client.force_login(world.resident_a)
    data = client.get("/api/v1/notifications").json()
    assert data["unread"] == 1 and data["items"][0]["title"] == "t"
    nid = data["items"][0]["id"]
    assert client.post(f"/api/v1/notifications/{nid}/read").status_code == 200
    assert client.get("/api/v1/notifications?unread=true").json()["items"] == []
    client.force_login(world.resident_b)
    assert client.post(f"/api/v1/notifications/{nid}/read").status_code == 404
    client.logout()
    assert client.get("/api/v1/notifications").status_code == 401


def test_api_preferences(client, world):
    client.force_login(world.resident_a)
    rows = client.get("/api/v1/notifications/preferences").json()["items"]
    assert {
        "verb": "appeal.escalated",
        "label": "诉求超时升级",
        "email": True,
        "sms": True,
        "wechat": False,
    } in rows
    r = client.put(
        "/api/v1/notifications/preferences",
        [{"verb": "appeal.escalated", "sms": False, "wechat": True}],
        content_type="application/json",
    )
    assert r.status_code == 200
    row = next(x for x in r.json() if x["verb"] == "appeal.escalated")
    assert (row["email"], row["sms"], row["wechat"]) == (True, False, True)
    bad = client.put(
        "/api/v1/notifications/preferences", [{"verb": "nope", "sms": True}], content_type="application/json"
    )
    assert bad.status_code == 422
