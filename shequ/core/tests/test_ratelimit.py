"""Abuse limits per account and per place (issue #9, finding 9): one core function, called by the
appeal, booking and forum services, refusing with 429 in Chinese and English."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from shequ.core import clock
from shequ.core.ratelimit import TooManyRequests, rate_limit, suspended


@pytest.fixture
def limits(settings):
    settings.SHEQU_RATE_LIMITS_ENABLED = True
    return settings.SHEQU_RATE_LIMITS


def test_counts_per_key_and_refuses_in_both_languages(limits, settings):
    settings.SHEQU_RATE_LIMITS = {"appeal": {"account": (3, 3600)}}
    for _ in range(3):
        rate_limit("appeal", account=1)
    with pytest.raises(TooManyRequests) as err:
        rate_limit("appeal", account=1)
    assert err.value.status == 429
    assert "太频繁" in err.value.message_zh and "Too many" in err.value.message_en
    rate_limit("appeal", account=2)  # someone else is not affected
    with suspended():
        rate_limit("appeal", account=1)  # a loader is not counted


def test_fifty_emergency_appeals_are_stopped(client, world, limits):
    client.force_login(world.resident_a)
    allowed = limits["appeal"]["account"][0]
    statuses = []
    for i in range(allowed + 2):
        response = client.post(
            "/api/v1/appeals",
            json.dumps({"kind": "help", "category": "lift", "text": f"电梯坏了 {i}", "urgency": "emergency"}),
            content_type="application/json",
        )
        statuses.append(response.status_code)
    assert statuses[:allowed] == [201] * allowed
    assert statuses[allowed:] == [429, 429]
    assert response.json()["error"]["message_en"].startswith("Too many requests for filing appeals")


def test_one_resident_cannot_book_every_slot(client, world, limits):
    from shequ.activities.models import Venue, VenueSlot

    venue = Venue.objects.create(
        name="活动室", place=world.community, community=world.community, owner=world.rc
    )
    start = clock.now() + timedelta(days=1)
    slots = [
        VenueSlot.objects.create(
            venue=venue, starts_at=start + timedelta(hours=h), ends_at=start + timedelta(hours=h, minutes=50)
        )
        for h in range(8)
    ]
    client.force_login(world.resident_a)
    statuses = [
        client.post(
            f"/api/v1/venues/slots/{slot.pk}/bookings",
            json.dumps({"purpose": "练歌"}),
            content_type="application/json",
        ).status_code
        for slot in slots
    ]
    allowed = limits["booking"]["account"][0]
    assert statuses.count(201) == allowed and statuses[allowed:] == [429] * (len(slots) - allowed)


def test_forum_posts_are_limited(world, limits, settings):
    from shequ.forum import services as forum

    settings.SHEQU_RATE_LIMITS = {**limits, "forum_post": {"account": (2, 3600)}}
    board = forum.board_ensure(place=world.compound_a)
    forum.topic_create(author=world.resident_a, board=board, title="一", body="内容")
    forum.topic_create(author=world.resident_a, board=board, title="二", body="内容")
    with pytest.raises(TooManyRequests):
        forum.topic_create(author=world.resident_a, board=board, title="三", body="内容")


def test_a_refusal_on_a_page_is_a_page_not_a_500(client, world, limits, settings):
    from shequ.forum import services as forum

    settings.SHEQU_RATE_LIMITS = {**limits, "forum_post": {"account": (0, 3600)}}
    board = forum.board_ensure(place=world.compound_a)
    client.force_login(world.resident_a)
    response = client.post(f"/forum/board/{board.pk}/new/", {"title": "标题", "body": "内容"})
    assert response.status_code in (422, 429)
    assert "太频繁" in response.content.decode()
