"""Generated from the declared policy table (access.POLICY), not from the code under test: every persona ×
every relation (own / same building / other building / other community) × public and private appeals,
through the API detail, the API lists and the page. A cell fails when the role reads more (or less) than
its grant says; 404 is the answer only where the table says "not visible"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shequ.accounts.models import Residency
from shequ.appeals import services
from shequ.appeals.access import NONE, POLICY, RELATIONS
from shequ.appeals.models import Category
from shequ.conftest import make_user
from shequ.directory import parties as dparties
from shequ.directory import places as dplaces
from shequ.directory.models import PartyKind, PlaceKind, Role

pytestmark = pytest.mark.django_db

# persona → its row of the table
PERSONAS = {
    "resident_a": "resident",
    "building_leader": "volunteer",  # of building A1, lives nowhere
    "handler_x": f"staff:{PartyKind.PROPERTY_COMPANY}",
    "rc_staff": f"staff:{PartyKind.RESIDENTS_COMMITTEE}",
    "party_secretary": f"staff:{PartyKind.PARTY_ORG}",
    "env_director": f"staff:{PartyKind.ENV_PROPERTY_COMMITTEE}",
    "street_leader": f"staff:{PartyKind.STREET_OFFICE}",
    "observer": "observer",
    "doctor": f"staff:{PartyKind.FAMILY_DOCTOR_TEAM}",
    "police_officer": f"staff:{PartyKind.POLICE_STATION}",
    "dept_staff": f"staff:{PartyKind.DEPARTMENT}",
    "outsider": "outsider",
}


@pytest.fixture
def appeals(world):
    P = PlaceKind
    c2 = dplaces.place_create(kind=P.COMMUNITY, name="第二社区", parent=world.street)
    comp = dplaces.place_create(kind=P.COMPOUND, name="丙小区", parent=c2)
    unit = dplaces.place_create(
        kind=P.UNIT, name="1单元", parent=dplaces.place_create(kind=P.BUILDING, name="1号楼", parent=comp)
    )
    hh = dplaces.place_create(kind=P.HOUSEHOLD, name="101", parent=unit, floor_area=Decimal("60"))
    dparties.party_create(
        kind=PartyKind.RESIDENTS_COMMITTEE, name="第二社区居委会", code="t-rc2", home=c2, places=[c2]
    )
    resident_c = make_user("13800000077", "王五")
    Residency.objects.create(user=resident_c, household=hh, relation="owner", status="verified")
    world.dept_staff = make_user("13900000071", "住建委科员")
    dparties.membership_create(user=world.dept_staff, party=world.dept_housing, role=Role.STAFF)
    where = {
        "own": (world.resident_a, world.household_a),
        "same_building": (world.resident_a2, world.building_a1),
        "other_building": (world.resident_b, world.household_b),
        "other_community": (resident_c, hh),
    }
    lift = Category.objects.get(code="lift")
    out = {}
    for relation, (reporter, place) in where.items():
        for visibility in ("public", "private"):
            out[(relation, visibility)] = services.appeal_create(
                reporter=reporter,
                kind="help",
                category=lift,
                place=place,
                text=f"{relation} {visibility} 电梯停了",
                is_public=visibility == "public",
            )
    return out


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_reads_follow_the_policy_table(client, world, appeals, persona):
    row = POLICY[PERSONAS[persona]]
    assert tuple(row) == RELATIONS
    client.force_login(getattr(world, persona))
    wrong = []
    listed = set()
    for scope in ("mine", "assigned", "public"):
        listed |= {
            i["id"] for i in client.get(f"/api/v1/appeals?scope={scope}&page_size=100").json()["items"]
        }
    for (relation, visibility), appeal in appeals.items():
        expected = 404 if getattr(row[relation], visibility) == NONE else 200
        api = client.get(f"/api/v1/appeals/{appeal.pk}").status_code
        page = client.get(f"/appeals/{appeal.pk}").status_code
        if (api, page) != (expected, expected):
            wrong.append((relation, visibility, expected, api, page))
        if expected == 404 and appeal.pk in listed:
            wrong.append((relation, visibility, "listed"))
    assert not wrong, wrong
