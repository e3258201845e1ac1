from __future__ import annotations

import json

URL_LOGIN = "/api/v1/auth/login"
URL_ME = "/api/v1/me"


def api_login(client, phone, password):
    return client.post(URL_LOGIN, json.dumps({"phone": phone, "password": password}),
                       content_type="application/json", REMOTE_ADDR="10.0.0.7")


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
    assert body["residencies"] == [{"household_id": world.household_a.pk, "household": "测试社区 甲小区 1号楼 1单元 101",
                                    "relation": "owner", "status": "verified"}]


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
