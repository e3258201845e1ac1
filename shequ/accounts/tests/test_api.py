from __future__ import annotations

import json

import pytest

URL_LOGIN = "/api/v1/auth/login"
URL_ME = "/api/v1/me"


def api_login(client, phone, password):
    return client.post(
        URL_LOGIN,
        json.dumps({"phone": phone, "password": password}),
        content_type="application/json",
        REMOTE_ADDR="10.0.0.7",
    )


def test_login_then_me(client, world, django_assert_max_num_queries):
    response = api_login(client, world.resident_a.phone, "shequ-test-pass")
    assert response.status_code == 200
    token = response.json()["token"]
    with django_assert_max_num_queries(8):
        me = client.get(URL_ME, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    body = me.json()
    assert body["phone"] == world.resident_a.phone and body["real_name"] == "张三"
    assert body["is_observer"] is False
    assert body["residencies"] == [
        {
            "household_id": world.household_a.pk,
            "household": "测试社区 甲小区 1号楼 1单元 101",
            "relation": "owner",
            "status": "verified",
        }
    ]


def test_me_for_staff_and_observer(client, world):
    token = api_login(client, world.observer.phone, "shequ-test-pass").json()["token"]
    body = client.get(URL_ME, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["is_observer"] is True
    assert body["memberships"][0]["role"] == "observer"


def test_bad_password_is_401(client, world):
    response = api_login(client, world.resident_a.phone, "wrong-pass")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "bad_credentials" and error["message_zh"] and error["message_en"]


def test_me_needs_auth(client, db):
    assert client.get(URL_ME).status_code == 401
    assert client.get(URL_ME, HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_lockout_is_429(client, world):
    codes = [api_login(client, world.resident_a.phone, "wrong-pass").status_code for _ in range(5)]
    assert codes[:4] == [401] * 4
    response = api_login(client, world.resident_a.phone, "shequ-test-pass")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"


def post(client, url, data, token=None):
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def token_of(client, user):
    return api_login(client, user.phone, "shequ-test-pass").json()["token"]


def test_chooser_options(client, world):
    levels = client.get("/api/v1/register/places", {"compound": world.compound_a.pk}).json()["items"]
    by_level = {row["level"]: row for row in levels}
    assert by_level["street"]["selected"] == world.street.pk  # only one: chosen for the resident
    assert by_level["compound"]["selected"] == world.compound_a.pk
    assert {o["name"] for o in by_level["building"]["options"]} == {"1号楼", "2号楼"}


def test_register_then_verify_through_the_api(client, world):
    response = post(
        client,
        "/api/v1/auth/register",
        {
            "phone": "13700000001",
            "real_name": "王五",
            "password": "huayuan-2024",
            "household_id": world.household_a.pk,
            "relation": "family",
        },
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["received"] is True and body["message_zh"] and body["message_en"]
    assert "token" not in body and "id" not in body  # the same answer for a phone that had an account
    token = api_login(client, "13700000001", "huayuan-2024").json()["token"]
    me = client.get(URL_ME, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["real_name"] == "王五"
    assert [r["status"] for r in me["residencies"]] == ["pending"]

    staff = token_of(client, world.rc_staff)
    queue = client.get("/api/v1/residencies/pending", HTTP_AUTHORIZATION=f"Bearer {staff}").json()["items"]
    assert [row["real_name"] for row in queue] == ["王五"]
    rid = queue[0]["id"]

    other = token_of(client, world.resident_b)
    assert post(client, f"/api/v1/residencies/{rid}/verify", {}, other).status_code == 404
    verified = post(client, f"/api/v1/residencies/{rid}/verify", {}, staff)
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    again = post(client, f"/api/v1/residencies/{rid}/reject", {"reason": "x"}, staff)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_decided"


def test_register_errors(client, world):
    bad = post(
        client,
        "/api/v1/auth/register",
        {
            "phone": world.resident_a.phone,
            "real_name": "王五",
            "password": "huayuan-2024",
            "household_id": world.household_a.pk,
            "relation": "family",
        },
    )
    assert (
        bad.status_code == 202 and bad.json()["received"] is True
    )  # as for a new phone (test_registration_abuse)
    bad = post(
        client,
        "/api/v1/auth/register",
        {
            "phone": "13700000001",
            "real_name": "王五",
            "password": "huayuan-2024",
            "household_id": world.building_a1.pk,
            "relation": "family",
        },
    )
    assert bad.status_code == 422 and "household_id" in bad.json()["error"]["fields"]


def test_password_and_residency_request(client, world):
    token = token_of(client, world.outsider)
    response = post(
        client, "/api/v1/me/residencies", {"household_id": world.household_b.pk, "relation": "tenant"}, token
    )
    assert response.status_code == 201 and response.json()["status"] == "pending"
    bad = post(
        client, "/api/v1/me/password", {"old_password": "nope", "new_password": "new-secret-77"}, token
    )
    assert bad.status_code == 422
    ok = post(
        client,
        "/api/v1/me/password",
        {"old_password": "shequ-test-pass", "new_password": "new-secret-77"},
        token,
    )
    assert ok.status_code == 204
    world.outsider.refresh_from_db()
    assert world.outsider.check_password("new-secret-77")


def test_pending_needs_auth(client, db):
    assert client.get("/api/v1/residencies/pending").status_code == 401
    assert post(client, "/api/v1/residencies/1/verify", {}).status_code == 401


# auth and the verifier check, then the page: count, keys, rows — whatever the queue's length
PENDING_PAGE_QUERIES = 9


@pytest.mark.parametrize("n", [3, 60])
def test_pending_queue_pages_from_the_database(client, world, django_assert_num_queries, n):
    """The queue is a keyset page of its queryset: every pending row exactly once, oldest first, and
    the same number of queries for 3 rows as for 60."""
    from shequ.accounts.models import Residency
    from shequ.conftest import make_user

    Residency.objects.filter(status=Residency.Status.PENDING).delete()
    made = [
        Residency.objects.create(
            user=make_user(f"1370001{i:04d}", f"待认证{i}"), household=world.household_a, relation="family"
        ).pk
        for i in range(n)
    ]
    staff = token_of(client, world.rc_staff)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {staff}"}
    seen, url = [], "/api/v1/residencies/pending?page_size=25"
    client.get(url, **auth)  # warm the token's login row
    with django_assert_num_queries(PENDING_PAGE_QUERIES):
        body = client.get(url, **auth).json()
    assert body["count"] == n
    while True:
        seen += [row["id"] for row in body["items"]]
        if not body["next"]:
            break
        body = client.get(f"{url}&after={body['next']}", **auth).json()
    assert seen == made
