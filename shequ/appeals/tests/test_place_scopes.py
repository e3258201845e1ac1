"""Volunteer roles with place scopes (issue #9, item 1; the grid of issue #14): a building leader of
building X, a grid worker of grid Y and an elected 环物会 owner member of compound Z see the public
appeals of their own places (masked), follow them and file for residents there — and nothing more:
not elsewhere, never private appeals or consultations, never dispatch, close or merge."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from shequ.appeals import access, services
from shequ.appeals.models import Appeal, Category, Source
from shequ.conftest import make_user
from shequ.core.errors import Forbidden
from shequ.directory import parties as dparties
from shequ.directory import places as dplaces
from shequ.directory.models import PlaceKind, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def scoped(world):
    """Compound A lies in grid 1, compound B in no grid; one volunteer of each kind, none of them living
    in the community (so everything they see comes from their role)."""
    grid = dplaces.place_create(kind=PlaceKind.GRID, name="第一网格", parent=world.community)
    dplaces.place_update(place=world.compound_a, parent=grid)
    world.grid_1 = grid
    for name in ("compound_a", "building_a1", "building_a2", "household_a", "household_a2"):
        getattr(world, name).refresh_from_db()
    world.grid_worker = make_user("13900000021", "网格员甲")
    dparties.membership_create(user=world.grid_worker, party=world.rc, role=Role.GRID_WORKER, places=[grid])
    world.env_member = make_user("13900000022", "委员甲")
    dparties.membership_create(
        user=world.env_member, party=world.env_committee, role=Role.MEMBER, places=[world.compound_a]
    )
    world.unplaced_leader = make_user("13900000023", "没分楼的楼组长")
    dparties.membership_create(user=world.unplaced_leader, party=world.rc, role=Role.BUILDING_LEADER)
    return world


def _api(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


# Who sees which public appeal: (A1, A2, B1) for volunteers that do not live in the community.
SEES = {
    "building_leader": (200, 404, 404),  # building A1
    "grid_worker": (200, 200, 404),  # grid 1 = compound A
    "env_member": (200, 200, 404),  # compound A
    "unplaced_leader": (404, 404, 404),  # a volunteer membership without places covers nothing
}


@pytest.mark.parametrize("who", list(SEES))
def test_volunteer_sees_the_public_appeals_of_their_own_places_masked(client, scoped, file_appeal, who):
    w = scoped
    appeals = (
        file_appeal(),  # household A (building A1)
        file_appeal(reporter=w.resident_a2, place=w.household_a2, text="2号楼灯坏了"),
        file_appeal(reporter=w.resident_b, place=w.household_b, text="乙小区电梯坏"),
    )
    client.force_login(getattr(w, who))
    got = tuple(client.get(f"/api/v1/appeals/{a.pk}").status_code for a in appeals)
    assert got == SEES[who]
    listed = {i["id"] for i in client.get("/api/v1/appeals?scope=public&page_size=100").json()["items"]}
    assert listed == {a.pk for a, code in zip(appeals, got, strict=True) if code == 200}
    for appeal, code in zip(appeals, got, strict=True):
        if code != 200:
            continue
        body = client.get(f"/api/v1/appeals/{appeal.pk}").json()
        assert body["actions"] == [] and body["reporter"]["phone"] != appeal.reporter.phone
        page = client.get(reverse("appeals:detail", args=[appeal.pk]))
        assert page.status_code == 200 and appeal.reporter.phone not in page.content.decode()
        for action in ("dispatch", "close", "merge", "escalate", "transfer", "accept", "resolve", "note"):
            assert (
                _api(
                    client, f"/api/v1/appeals/{appeal.pk}/{action}", {"reason": "x", "text": "x"}
                ).status_code
                == 403
            )
        assert _api(client, f"/api/v1/appeals/{appeal.pk}/follow").status_code == 200
        assert Appeal.objects.get(pk=appeal.pk).status == appeal.status


def test_volunteers_never_see_private_appeals_or_consultations_of_their_places(client, scoped, file_appeal):
    private = file_appeal(is_public=False, text="楼道漏水，不公开", category="leaks")
    consult = file_appeal(kind="consult", category="health", text="血压高怎么办")
    for who in ("building_leader", "grid_worker", "env_member"):
        client.force_login(getattr(scoped, who))
        for appeal in (private, consult):
            assert client.get(f"/api/v1/appeals/{appeal.pk}").status_code == 404, who


@pytest.mark.parametrize(
    "who, inside, outside",
    [
        ("building_leader", "household_a", "household_a2"),
        ("grid_worker", "household_a2", "household_b"),
        ("env_member", "household_a2", "household_b"),
    ],
)
def test_volunteer_files_for_residents_only_in_their_own_places(scoped, who, inside, outside):
    w = scoped
    actor = getattr(w, who)
    lift = Category.objects.get(code="lift")
    reporter = {"household_a": w.resident_a, "household_a2": w.resident_a2, "household_b": w.resident_b}
    appeal = services.appeal_create(
        reporter=reporter[inside],
        filed_by=actor,
        source=Source.STAFF,
        kind="help",
        category=lift,
        place=getattr(w, inside),
        text="代居民反映：电梯停了",
    )
    assert appeal.filed_by_id == actor.pk
    with pytest.raises(Forbidden):
        services.appeal_create(
            reporter=reporter[outside],
            filed_by=actor,
            source=Source.STAFF,
            kind="help",
            category=lift,
            place=getattr(w, outside),
            text="代居民反映：电梯停了",
        )


@pytest.mark.parametrize(
    ("who", "inside", "outside"),
    [("building_leader", "resident_a", "resident_a2"), ("env_member", "resident_a2", "resident_b")],
)
def test_volunteer_looks_up_residents_only_in_their_own_places(scoped, who, inside, outside):
    """A building leader's phone lookup finds the residents of their building; a phone in another
    building of the same compound gets the caller-without-account answer, as an unknown number does."""
    from shequ.appeals import filing

    w = scoped
    actor = getattr(w, who)
    everywhere = [w.compound_a.pk, w.compound_b.pk]  # what the page offers a member of the committee
    found = filing.caller_for(staff=actor, phone=getattr(w, inside).phone, compound_ids=everywhere)
    assert found.user == getattr(w, inside)
    hidden = filing.caller_for(staff=actor, phone=getattr(w, outside).phone, compound_ids=everywhere)
    unknown = filing.caller_for(staff=actor, phone="13799990000", compound_ids=everywhere)
    assert hidden.user is None and hidden.household is None and hidden.name == ""
    assert (unknown.user, unknown.household) == (hidden.user, hidden.household)


def test_the_policy_table_names_every_role_and_relation():
    """The table the permission matrix is generated from covers every membership role's class."""
    from shequ.directory.models import PartyKind

    classes = {access.ROLE_POLICY[r] for r in Role.values}
    assert classes <= {"staff", "volunteer", "observer"}
    for kind in PartyKind.values:
        assert f"staff:{kind}" in access.POLICY, kind
    for row in access.POLICY.values():
        assert tuple(row) == access.RELATIONS
    assert not access.POLICY["volunteer"]["same_building"].actions
    assert not access.POLICY["observer"]["same_building"].follow
