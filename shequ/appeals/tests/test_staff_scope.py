"""The workbench is scoped by the role policy (issue #9): `access.staff_scope` — the same scope as the
filing rule `filing.caller_for` — decides who may open the workbench, who acts there, who files for a
resident and where they look residents up. Expected answers come from `access.POLICY`, not from the
code under test: a volunteer membership (楼组长, 网格员) never makes its party's whole area theirs, and
parties whose row grants no `file_for_others` (doctors, police, departments, stations) file for nobody."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from shequ.appeals.access import POLICY
from shequ.appeals.models import Appeal, Status
from shequ.conftest import make_user
from shequ.directory import parties as dparties
from shequ.directory.models import PartyKind, Role

pytestmark = pytest.mark.django_db

PERSONAS = {
    "resident_a": "resident",
    "building_leader": "volunteer",  # of building A1
    "volunteer": "helper",  # a mutual-aid station's volunteer
    "handler_x": f"staff:{PartyKind.PROPERTY_COMPANY}",
    "rc_staff": f"staff:{PartyKind.RESIDENTS_COMMITTEE}",
    "street_leader": f"staff:{PartyKind.STREET_OFFICE}",
    "observer": "observer",
    "doctor": f"staff:{PartyKind.FAMILY_DOCTOR_TEAM}",
    "police_officer": f"staff:{PartyKind.POLICE_STATION}",
    "dept_staff": f"staff:{PartyKind.DEPARTMENT}",
    "outsider": "outsider",
}
# Classes that hold a membership of some kind and so have a workbench (residents and outsiders do not).
WORKBENCH = {cls for cls in POLICY if cls not in ("resident", "outsider")}


def _files_for_others(cls: str) -> bool:
    return any(g.file_for_others for g in POLICY[cls].values())


def _acts(cls: str) -> bool:
    return cls == "helper" or any(g.actions for g in POLICY[cls].values() if cls != "resident")


@pytest.fixture
def people(world):
    world.dept_staff = make_user("13900000071", "住建委科员")
    dparties.membership_create(user=world.dept_staff, party=world.dept_housing, role=Role.STAFF)
    return world


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_who_opens_the_workbench_and_who_files_follows_the_policy(client, people, persona):
    cls = PERSONAS[persona]
    client.force_login(getattr(people, persona))
    bench = client.get(reverse("appeals:workbench"))
    assert bench.status_code == (200 if cls in WORKBENCH else 403)
    if bench.status_code == 200:
        shows_file_link = reverse("appeals:file") in bench.content.decode()
        assert shows_file_link == _files_for_others(cls)
    page = client.get(reverse("appeals:file"))
    assert page.status_code == (200 if _files_for_others(cls) else 403), page.status_code


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_filing_for_a_caller_through_the_api_follows_the_policy(client, people, persona):
    """The API door: `POST /api/v1/appeals` with a caller's phone is refused for a class without
    `file_for_others` (before: any membership but an observer's filed for the whole community)."""
    w = people
    cls = PERSONAS[persona]
    client.force_login(getattr(w, persona))
    place = w.household_a if persona != "handler_x" else w.household_a
    body = {
        "kind": "help",
        "category": "lift",
        "text": "代居民反映：电梯停了",
        "place_id": place.pk,
        "reporter_phone": w.resident_a.phone,
    }
    r = client.post("/api/v1/appeals", json.dumps(body), content_type="application/json")
    assert (r.status_code == 201) == _files_for_others(cls), (r.status_code, r.content[:200])
    if r.status_code != 201:
        assert r.status_code in (401, 403, 422) and not Appeal.objects.filter(filed_by=getattr(w, persona))


def test_a_building_leader_looks_up_and_files_only_in_their_building(client, people):
    """POLICY["volunteer"]: file_for_others only in their own places. The page's resident search, the
    household search and the place choices stay inside building A1 (before: the whole community the
    committee serves — names and phones of other buildings' residents)."""
    w = people
    assert POLICY["volunteer"]["same_building"].file_for_others
    assert not POLICY["volunteer"]["other_building"].file_for_others
    client.force_login(w.building_leader)
    by_name = client.get(reverse("appeals:file"), {"q": "张"}).content.decode()
    assert w.resident_a.real_name in by_name  # 张三, building A1
    assert w.resident_a2.real_name not in by_name  # 张小三, building A2
    assert w.resident_a2.phone not in by_name
    by_room = client.get(reverse("appeals:file"), {"q": w.household_a2.name}).content.decode()
    assert f'value="{w.household_a2.pk}"' not in by_room and f"household={w.household_a2.pk}" not in by_room
    by_id = client.get(reverse("appeals:file"), {"household": w.household_a2.pk}).content.decode()
    assert f'value="{w.household_a2.pk}"' not in by_id
    blank = client.get(reverse("appeals:file")).content.decode()
    assert f'value="p{w.building_a1.pk}"' in blank
    assert f'value="p{w.building_a2.pk}"' not in blank
    assert f'value="p{w.compound_b.pk}"' not in blank and w.compound_b.name not in blank


def test_the_committee_still_looks_up_its_whole_community(client, people):
    w = people
    client.force_login(w.rc_staff)
    by_name = client.get(reverse("appeals:file"), {"q": "张"}).content.decode()
    assert w.resident_a.real_name in by_name and w.resident_a2.real_name in by_name
    blank = client.get(reverse("appeals:file")).content.decode()
    assert f'value="p{w.building_a2.pk}"' in blank and f'value="p{w.compound_b.pk}"' in blank


@pytest.mark.parametrize("persona", ["building_leader", "observer", "handler_x"])
def test_bulk_accept_only_for_those_who_act(client, people, file_appeal, persona):
    """Bulk accept is an action: refused up front for a class whose grants carry no actions."""
    w = people
    cls = PERSONAS[persona]
    appeal = file_appeal()
    client.force_login(getattr(w, persona))
    r = client.post(reverse("appeals:bulk_accept"), {"ids": [appeal.pk]})
    if _acts(cls):
        assert r.status_code == 302
    else:
        assert r.status_code == 403
        assert Appeal.objects.get(pk=appeal.pk).status in (Status.SUBMITTED, Status.DISPATCHED)


def test_a_building_leader_workbench_lists_no_committee_compounds(client, people):
    """The queue's compound filter offers the compounds of the parties whose queue they read — none for a
    volunteer (before: every compound of the committee they volunteer for)."""
    w = people
    client.force_login(w.building_leader)
    page = client.get(reverse("appeals:workbench")).content.decode()
    assert w.compound_b.name not in page
