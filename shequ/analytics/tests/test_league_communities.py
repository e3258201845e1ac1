"""The league table's community picker (issue 13): a leader narrows the table to one community they lead —
a community leader their own, a street leader (and the street's observers) their street's; the rest is
refused in Chinese and English, never a 500. Page, Excel ledger and API read the same rule."""

from __future__ import annotations

import io

import pytest
from django.db.models import Q
from django.urls import reverse
from openpyxl import load_workbook

from shequ.directory import parties as dparties
from shequ.directory import places as dplaces
from shequ.directory.models import Party, PartyKind, PlaceKind


@pytest.fixture
def two_communities(world):
    """A second community of the street (its own company, and 丁物业 of 测试社区 under contract in one of its
    compounds) and a community of another street."""
    other = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="邻社区", parent=world.street)
    compound = dplaces.place_create(kind=PlaceKind.COMPOUND, name="丙小区", parent=other)
    dparties.party_create(kind=PartyKind.PROPERTY_COMPANY, name="丙物业", code="t-z", home=other)
    ding = dparties.party_create(
        kind=PartyKind.PROPERTY_COMPANY, name="丁物业", code="t-d", home=world.community
    )
    from datetime import date  # noqa: PLC0415

    dparties.contract_create(company=ding, places=[compound], starts_on=date(2020, 1, 1))
    far_street = dplaces.place_create(kind=PlaceKind.STREET, name="别的街道", parent=world.district)
    far = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="别的社区", parent=far_street)
    return other, far


def _raw(community) -> list[str]:
    """The property companies of a community, computed from the directory directly."""
    return sorted(
        Party.objects.filter(kind=PartyKind.PROPERTY_COMPANY, is_active=True)
        .filter(Q(home=community) | Q(contracts__places__community=community))
        .distinct()
        .values_list("name", flat=True)
    )


def _page(client, **q):
    return client.get(reverse("analytics:league"), {"month": "2026-11", **q})


def test_street_leader_picks_among_the_streets_communities(
    client, world, two_communities, django_assert_max_num_queries
):
    other, far = two_communities
    for user in (world.street_leader, world.observer):
        client.force_login(user)
        page = _page(client)
        assert [c.name for c in page.context["communities"]] == ["测试社区", "邻社区"]
        body = page.content.decode()
        assert 'id="community"' in body and "全部社区" in body and "别的社区" not in body
        for community in (world.community, other):
            _page(client, community=community.pk)  # rolls up
            # the resident page 14 + the leader scope (read once, kept on the user) + the picker
            with django_assert_max_num_queries(16):
                narrowed = _page(client, community=community.pk)
            names = sorted(p.name for p, _r in narrowed.context["rows"])
            assert names == _raw(community) and names
            assert f'<option value="{community.pk}" selected>' in narrowed.content.decode()
            export = client.get(reverse("analytics:league_export"), {"community": community.pk})
            sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
            assert sorted(r[1] for r in list(sheet.iter_rows(values_only=True))[1:]) == names
            api = client.get("/api/v1/analytics/league", {"community": community.pk}).json()["items"]
            assert sorted(r["party"] for r in api) == names
        assert sorted(_raw(other)) == ["丁物业", "丙物业"]
        # another street's community: refused, in both languages, on the page, the ledger and the API
        assert _page(client, community=far.pk).status_code == 404
        assert client.get(reverse("analytics:league_export"), {"community": far.pk}).status_code == 404
        r = client.get("/api/v1/analytics/league", {"community": far.pk})
        assert r.status_code == 404 and r.json()["error"]["message_zh"] and r.json()["error"]["message_en"]
        listed = client.get("/api/v1/analytics/league/communities").json()["items"]
        assert [c["name"] for c in listed] == ["测试社区", "邻社区"]


def test_community_leader_sees_only_their_community(client, world, two_communities):
    other, _far = two_communities
    client.force_login(world.party_secretary)
    page = _page(client)
    assert [c.name for c in page.context["communities"]] == ["测试社区"]
    options = page.content.decode().split('id="community"')[1].split("</select>")[0]
    assert options.count("<option") == 2 and "邻社区" not in options  # 全部社区 (the street's table) + theirs
    assert sorted(p.name for p, _r in _page(client, community=world.community.pk).context["rows"]) == _raw(
        world.community
    )
    assert _page(client, community=other.pk).status_code == 404
    assert client.get("/api/v1/analytics/league", {"community": other.pk}).status_code == 404
    assert [c["id"] for c in client.get("/api/v1/analytics/league/communities").json()["items"]] == [
        world.community.pk
    ]


def test_residents_have_no_picker_and_bad_ids_are_422(client, world, two_communities):
    client.force_login(world.resident_b)
    page = _page(client)
    assert page.status_code == 200 and page.context["communities"] == []
    assert 'id="community"' not in page.content.decode()
    assert _page(client, community=world.community.pk).status_code == 403
    r = client.get("/api/v1/analytics/league", {"community": world.community.pk})
    assert (
        r.status_code == 403 and "社区" in r.json()["error"]["message_zh"] and r.json()["error"]["message_en"]
    )
    assert client.get("/api/v1/analytics/league/communities").json()["items"] == []
    client.force_login(world.street_leader)
    bad = _page(client, community="x")
    assert bad.status_code == 422 and "社区编号无效" in bad.content.decode()
    assert client.get(reverse("analytics:league_export"), {"community": "x"}).status_code == 422
    r = client.get("/api/v1/analytics/league", {"community": "x"})
    assert r.status_code == 422 and r.json()["error"]["message_zh"] and r.json()["error"]["message_en"]
