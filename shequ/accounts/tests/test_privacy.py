"""Smaller leaks of issue #9, finding 10: masked phones in the owner's queue API, no probing of user
ids through mute/ban, 401 for anonymous writes, every API error in Chinese and English."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from shequ.accounts.models import Residency
from shequ.conftest import make_user


@pytest.fixture
def family_request(world):
    """A family member asks to join resident_a's household; resident_a is its verified owner."""
    member = make_user("13700000077", "王小明")
    return Residency.objects.create(user=member, household=world.household_a, relation="family")


def test_owner_queue_api_masks_phones_like_the_page(client, world, family_request):
    client.force_login(world.resident_a)
    rows = client.get("/api/v1/residencies/pending").json()["items"]
    assert [r["phone"] for r in rows] == ["137****0077"]
    page = client.get("/accounts/verify/").content.decode()
    assert "13700000077" not in page and "137****0077" in page
    # the residents' committee, who call people and reset passwords, see the number
    client.force_login(world.rc_staff)
    assert "13700000077" in [r["phone"] for r in client.get("/api/v1/residencies/pending").json()["items"]]


def test_mute_does_not_reveal_which_user_ids_exist(client, world):
    client.force_login(world.resident_a)
    # resident_b lives in another compound and never wrote on a board resident_a reads: the same 404
    # as for an id nobody has
    known = client.post(f"/api/v1/forum/users/{world.resident_b.pk}/mute")
    unknown = client.post("/api/v1/forum/users/987654321/mute")
    assert known.status_code == unknown.status_code == 404
    assert known.json() == unknown.json()
    page_known = client.post(f"/forum/mute/{world.resident_b.pk}/")
    page_unknown = client.post("/forum/mute/987654321/")
    assert page_known.status_code == page_unknown.status_code


def test_ban_by_a_non_moderator_does_not_probe_ids(client, world):
    from shequ.forum import services as forum_services

    board = forum_services.board_ensure(place=world.compound_a)
    client.force_login(world.resident_a)
    url = f"/api/v1/forum/boards/{board.pk}/bans"
    body = {"reason": "x"}
    known = client.post(
        url, json.dumps({**body, "user_id": world.resident_b.pk}), content_type="application/json"
    )
    unknown = client.post(url, json.dumps({**body, "user_id": 987654321}), content_type="application/json")
    assert known.status_code == unknown.status_code


@pytest.mark.parametrize(
    "url", ["/api/v1/appeals", "/api/v1/forum/users/1/mute", "/api/v1/auth/logout", "/api/v1/me/password"]
)
def test_anonymous_writes_are_401_in_both_languages(url, db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, data="{}", content_type="application/json")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["message_zh"] != error["message_en"]


def test_logged_in_without_csrf_is_403_in_both_languages(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.resident_a)
    response = client.post("/api/v1/auth/logout", data="{}", content_type="application/json")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "csrf_failed" and "刷新" in error["message_zh"] and "CSRF" in error["message_en"]


def test_unparsable_body_is_json_in_both_languages(client, world):
    client.force_login(world.resident_a)
    response = client.post("/api/v1/me/password", data="{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    error = response.json()["error"]
    assert error["message_zh"] and error["message_en"] and error["message_zh"] != error["message_en"]
