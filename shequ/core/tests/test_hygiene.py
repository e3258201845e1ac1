"""No request can cause a server error with control characters, huge numbers, deep JSON or huge text
(issue #9, findings 8 and 9) — on SQLite and on PostgreSQL, logged in or not."""

import json

import pytest

from shequ.core import hygiene

pytestmark = pytest.mark.django_db


def _post_json(client, url, payload, **extra):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(url, data=body, content_type="application/json", **extra)


def _error(response, code):
    body = response.json()["error"]
    assert body["code"] == code, body
    assert body["message_zh"] and body["message_en"] and body["message_zh"] != body["message_en"]
    return body


def test_nul_in_unauthenticated_login_and_registration_is_a_clear_422(client):
    response = _post_json(client, "/api/v1/auth/login", {"phone": "1380000\u00000001", "password": "x"})
    assert response.status_code == 422
    _error(response, "control_characters")
    response = _post_json(
        client,
        "/api/v1/auth/register",
        {
            "phone": "13812345678",
            "real_name": "张\u0000三",
            "password": "a-long-pass",
            "household_id": 1,
            "relation": "owner",
        },
    )
    assert response.status_code == 422
    assert _error(response, "control_characters")["fields"] == {"real_name": "control_characters"}


def test_nul_in_a_login_form_is_a_page_not_a_500(client):
    response = client.post("/accounts/login/", {"username": "138\x00", "password": "x"})
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


def test_nul_in_a_query_value(client):
    response = client.get("/api/v1/register/places", {"street": "1\x00"})
    assert response.status_code == 422


def test_text_with_tabs_and_newlines_is_fine():
    hygiene.check_text("第一行\n第二行\t好\r\n")
    with pytest.raises(hygiene.Invalid):
        hygiene.check_text("a\x7fb")
    with pytest.raises(hygiene.Invalid):
        hygiene.check_text("lone \ud800 surrogate")


def test_escaped_nul_and_surrogates_inside_json_are_refused(client):
    response = _post_json(client, "/api/v1/auth/login", '{"phone": "\\u0000", "password": "\\ud800"}')
    assert response.status_code == 422


def test_json_nested_5000_deep_is_refused(client):
    response = _post_json(client, "/api/v1/auth/login", "[" * 5000 + "]" * 5000)
    assert response.status_code == 422
    _error(response, "json_too_deep")
    assert hygiene.json_depth('{"a": "[[[[[", "b": [1, {"c": []}]}') == 4


def test_numbers_beyond_64_bits(client, world):
    client.force_login(world.resident_a)
    response = client.get("/api/v1/notifications", {"offset": str(2**64)})
    assert response.status_code == 422
    _error(response, "number_too_large")
    response = _post_json(client, "/api/v1/venues/slots/1/bookings", {"purpose": "x", "people": 2**63})
    assert response.status_code == 422
    # an id no row can have is simply not found, on pages and in the API
    assert client.get(f"/appeals/{2**70}/").status_code == 404
    response = _post_json(client, f"/api/v1/appeals/{2**64}/report_in", {"text": "到了"})
    assert response.status_code == 404
    assert response.json()["error"]["message_en"]


def test_bounded_offsets_pages_and_days(client, world):
    client.force_login(world.resident_a)
    assert client.get("/api/v1/notifications", {"page_size": -1}).status_code == 422
    assert client.get("/api/v1/supervision/escalated", {"page_size": 0}).status_code in (403, 422)
    assert client.get("/api/v1/notices/feed", {"page": 2**62}).status_code == 422
    assert client.get("/api/v1/notices/feed", {"page": 3}).status_code == 200
    client.force_login(world.rc_staff)
    response = _post_json(client, "/api/v1/forum/boards/1/bans", {"user_id": 1, "reason": "x", "days": 10**9})
    assert response.status_code in (404, 422)
    assert response.status_code != 500


def test_a_megabyte_of_text_is_refused(client, world):
    client.force_login(world.resident_a)
    response = _post_json(
        client, "/api/v1/appeals", {"kind": "help", "category": "lift", "text": "长" * 1_000_000}
    )
    assert response.status_code == 422
    _error(response, "text_too_long")
