"""Issue #9, finding 8 (server errors), case by case: a huge or negative page on every list of the API, a
huge ban length on the forum (by a moderator and by someone who is not one). Each was a 500; each is now
a 422 (or the refusal the caller gets anyway) with the one error body in Chinese and English."""

from __future__ import annotations

import json

import pytest

from shequ.api.main import api
from shequ.core.pagination import MAX_PAGE


def _list_paths() -> list[str]:
    """Every GET list operation without path parameters (from the schema: those taking `page_size`)."""
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    paths = []
    for path, methods in schema["paths"].items():
        params = {p["name"] for p in methods.get("get", {}).get("parameters", []) if p["in"] == "query"}
        if "page_size" in params and "{" not in path:
            paths.append(path)
    return paths


LISTS = _list_paths()


def _error(response, field: str) -> None:
    assert response.status_code == 422, (response.status_code, response.content[:300])
    body = response.json()["error"]
    assert body["message_zh"] and body["message_en"] and field in body["fields"], body


def test_there_are_lists_to_try():
    assert len(LISTS) >= 25 and "/api/v1/appeals" in LISTS and "/api/v1/notices/feed" in LISTS


@pytest.mark.parametrize("persona", ["resident_a", "rc_staff"])
def test_a_huge_or_negative_page_on_every_list_is_a_clear_422(client, world, persona):
    client.force_login(getattr(world, persona))
    for path in LISTS:
        for query, field in (
            ({"page": 2**62}, "page"),
            ({"page": MAX_PAGE + 1}, "page"),
            ({"page": -1}, "page"),
            ({"page_size": -1}, "page_size"),
        ):
            _error(client.get(path, query), field)


def _ban(client, board_id: int, user_id: int, days):
    return client.post(
        f"/api/v1/forum/boards/{board_id}/bans",
        json.dumps({"user_id": user_id, "reason": "刷屏", "days": days}),
        content_type="application/json",
    )


def test_a_huge_ban_length_is_a_clear_422_for_a_moderator_and_a_refusal_for_anyone_else(client, world):
    from shequ.forum import services as forum

    board = forum.board_ensure(place=world.compound_a)
    client.force_login(world.rc_staff)
    for days in (10**9, 2**62, 3651):
        _error(_ban(client, board.pk, world.resident_b.pk, days), "days")
    assert _ban(client, board.pk, world.resident_b.pk, 30).status_code == 201
    client.force_login(world.resident_a)  # not a moderator: refused, whatever the length
    response = _ban(client, board.pk, world.resident_b.pk, 10**9)
    assert response.status_code in (403, 422) and response.json()["error"]["message_en"]
    assert _ban(client, board.pk, world.resident_b.pk, 30).status_code == 403
