"""Login lockout on the real client address; tokens that end (issue #9, findings 2 and 6)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from shequ.accounts import services
from shequ.accounts.models import ApiToken, UserSession
from shequ.accounts.tokens import TOKEN_IDLE, TOKEN_MAX
from shequ.core import clock
from shequ.core.net import client_ip

PASS = "shequ-test-pass"


def _login(client, phone, password, **meta):
    meta.setdefault("REMOTE_ADDR", "10.0.0.7")
    return client.post(
        "/api/v1/auth/login",
        json.dumps({"phone": phone, "password": password}),
        content_type="application/json",
        **meta,
    )


def _bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# --- finding 2: the lockout cannot be dodged with X-Forwarded-For ----------------------------------


def test_a_new_forwarded_for_per_request_does_not_dodge_the_lockout(client, world):
    phone = world.resident_a.phone
    for i in range(5):
        assert _login(client, phone, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code in (401, 429)
    response = _login(client, phone, PASS, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429  # locked: the right password no longer works from here
    assert response.json()["error"]["message_en"]


def test_behind_one_trusted_proxy_the_client_is_the_proxys_last_hop(client, world, settings):
    settings.SHEQU_TRUSTED_PROXIES = 1
    phone = world.resident_a.phone
    # every request arrives from the proxy 10.0.0.1; the attacker forges the left part of the header
    for i in range(5):
        _login(
            client, phone, "wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 198.51.100.7"
        )
    assert (
        _login(client, phone, PASS, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code
        == 429
    )
    # the proxy's own address is not what is locked: the real owner, elsewhere, still logs in
    assert (
        _login(client, phone, PASS, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code
        == 200
    )


def test_client_ip(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 7.7.7.7, 8.8.8.8")
    settings.SHEQU_TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.1"
    settings.SHEQU_TRUSTED_PROXIES = 1
    assert client_ip(request) == "8.8.8.8"
    settings.SHEQU_TRUSTED_PROXIES = 2
    assert client_ip(request) == "7.7.7.7"
    settings.SHEQU_TRUSTED_PROXIES = 5  # fewer hops than proxies: not through them all
    assert client_ip(request) == "10.0.0.1"
    settings.SHEQU_TRUSTED_PROXIES = 1
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")) == "10.0.0.1"


# --- finding 6: tokens end ------------------------------------------------------------------------


def test_api_logout_ends_the_token(client, world):
    token = _login(client, world.resident_a.phone, PASS).json()["token"]
    assert client.get("/api/v1/me", **_bearer(token)).status_code == 200
    assert client.post("/api/v1/auth/logout", **_bearer(token)).status_code == 204
    assert client.get("/api/v1/me", **_bearer(token)).status_code == 401


def test_password_change_ends_every_other_token(client, world):
    phone = world.resident_a.phone
    phone_app = _login(client, phone, PASS).json()["token"]
    stolen = _login(client, phone, PASS).json()["token"]
    response = client.post(
        "/api/v1/me/password",
        json.dumps({"old_password": PASS, "new_password": "a-new-long-pass-77"}),
        content_type="application/json",
        **_bearer(phone_app),
    )
    assert response.status_code == 204
    assert client.get("/api/v1/me", **_bearer(stolen)).status_code == 401
    assert client.get("/api/v1/me", **_bearer(phone_app)).status_code == 200  # the one in use stays


def test_committee_reset_ends_every_token_and_web_login(client, world):
    token = _login(client, world.resident_a.phone, PASS).json()["token"]
    web = client.__class__()
    assert (
        web.post("/accounts/login/", {"username": world.resident_a.phone, "password": PASS}).status_code
        == 302
    )
    assert UserSession.objects.filter(user=world.resident_a).count() == 1
    services.user_password_reset(user=world.resident_a, actor=world.rc_staff)
    assert client.get("/api/v1/me", **_bearer(token)).status_code == 401
    assert web.get("/accounts/profile/").status_code == 302  # sent to the login page
    assert not UserSession.objects.filter(user=world.resident_a).exists()


def test_web_logout_everywhere_ends_tokens(client, world):
    token = _login(client, world.resident_a.phone, PASS).json()["token"]
    client.force_login(world.resident_a)
    response = client.post("/accounts/logout/", {"everywhere": "1"})
    assert response.status_code == 302
    assert client.get("/api/v1/me", **_bearer(token)).status_code == 401


def test_tokens_slide_and_have_a_hard_limit(client, world):
    start = clock.now()
    with clock.frozen(start):
        token = _login(client, world.resident_a.phone, PASS).json()["token"]
    assert TOKEN_IDLE < timedelta(days=30)  # shorter than the old 30 days
    # used every two days, it keeps working …
    moment = start
    while moment + timedelta(days=2) < start + TOKEN_MAX:
        moment += timedelta(days=2)
        with clock.frozen(moment):
            assert client.get("/api/v1/me", **_bearer(token)).status_code == 200
    # … but never past the hard limit from its creation
    with clock.frozen(start + TOKEN_MAX + timedelta(minutes=1)):
        assert client.get("/api/v1/me", **_bearer(token)).status_code == 401
    # and one left unused for longer than its idle life ends
    with clock.frozen(start):
        idle = _login(client, world.resident_a.phone, PASS).json()["token"]
    with clock.frozen(start + TOKEN_IDLE + timedelta(minutes=1)):
        assert client.get("/api/v1/me", **_bearer(idle)).status_code == 401


def test_a_person_lists_and_ends_their_logins(client, world, django_assert_max_num_queries):
    phone = world.resident_a.phone
    other = _login(client, phone, PASS, HTTP_USER_AGENT="OldPhone/1").json()["token"]
    mine = _login(client, phone, PASS).json()["token"]
    with django_assert_max_num_queries(6):
        rows = client.get("/api/v1/me/logins", **_bearer(mine)).json()["items"]
    assert {r["device"] for r in rows} >= {"OldPhone/1"}
    current = [r for r in rows if r["current"]]
    assert len(current) == 1 and current[0]["kind"] == "api"
    old = next(r for r in rows if r["device"] == "OldPhone/1")
    assert client.post(f"/api/v1/me/logins/api/{old['id']}/end", **_bearer(mine)).status_code == 204
    assert client.get("/api/v1/me", **_bearer(other)).status_code == 401
    # someone else's token is not theirs to end
    theirs = ApiToken.objects.filter(user=world.resident_b).first()
    if theirs is None:
        _login(client, world.resident_b.phone, PASS)
        theirs = ApiToken.objects.get(user=world.resident_b)
    assert client.post(f"/api/v1/me/logins/api/{theirs.pk}/end", **_bearer(mine)).status_code == 404

    # the page lists web logins too and ends one
    client.force_login(world.resident_a)
    page = client.get("/accounts/logins/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "登录设备" in text and "OldPhone" not in text  # ended above
    token_row = ApiToken.objects.filter(user=world.resident_a).first()
    response = client.post("/accounts/logins/", {"kind": "api", "id": token_row.pk})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token_row.pk).exists()


@pytest.mark.parametrize("url", ["/accounts/logins/"])
def test_logins_page_needs_a_login(client, url, db):
    assert client.get(url).status_code == 302
