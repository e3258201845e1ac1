"""Intake reads the categories, the routing rules and who serves which place from the one cache
(`shequ.core.readcache`): a change saved in this process is seen by the very next filing."""

from __future__ import annotations

import json

import pytest

from shequ.appeals.models import Category, RoutingRule
from shequ.directory import parties as dparties
from shequ.directory.models import PartyKind

pytestmark = pytest.mark.django_db


def _party(client, world, category: str = "noise") -> int:
    got = client.post(
        "/api/v1/appeals",
        json.dumps({"category": category, "text": "楼下噪音", "place_id": world.household_a.pk}),
        content_type="application/json",
    )
    assert got.status_code == 201, got.content
    return got.json()["responsible_party"]["id"]


def test_a_routing_change_is_seen_by_the_next_filing(client, world):
    client.force_login(world.resident_a)
    assert _party(client, world) == world.rc.pk  # the tables are now cached
    rule = RoutingRule.objects.create(
        category=Category.objects.get(code="noise"), party=world.police, priority=1
    )
    assert _party(client, world) == world.police.pk
    world.police.is_active = False
    world.police.save()
    assert _party(client, world) == world.rc.pk  # a rule whose party is inactive is skipped
    rule.delete()
    world.police.is_active = True
    world.police.save()
    assert _party(client, world) == world.rc.pk


def test_a_new_party_serving_the_place_is_seen_by_the_next_filing(client, world):
    client.force_login(world.resident_a)
    RoutingRule.objects.create(
        category=Category.objects.get(code="noise"), party_kind=PartyKind.CO_BUILDER, priority=1
    )
    assert _party(client, world) == world.rc.pk  # no co-builder serves the place: the rule is skipped
    co = dparties.party_create(
        kind=PartyKind.CO_BUILDER, name="共建单位", code="co-1", places=[world.compound_a]
    )
    assert _party(client, world) == co.pk


def test_a_category_switched_off_is_refused_by_the_next_filing(client, world):
    client.force_login(world.resident_a)
    assert _party(client, world) == world.rc.pk
    noise = Category.objects.get(code="noise")
    noise.is_active = False
    noise.save()
    got = client.post(
        "/api/v1/appeals",
        json.dumps({"category": "noise", "text": "楼下噪音", "place_id": world.household_a.pk}),
        content_type="application/json",
    )
    assert got.status_code == 422
    assert got.json()["error"]["fields"] == {"category": "invalid"}
