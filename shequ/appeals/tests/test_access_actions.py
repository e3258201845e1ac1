"""The action matrix, generated from the declared policy table (access.POLICY), not from the code under
test: every appeal action × every persona (resident, the three volunteer roles — 楼组长, 网格员, the
环物会's elected owner member —, each kind of party staff, observer, outsider) × every relation of
access.RELATIONS × public and private appeals, with a valid body, through the API and the page.

Expected, read from the table's grant for (persona's row, relation):
* the appeal is not visible (grant says NONE for it) → 404, on the API and the page;
* the action is not among the grant's actions → refused (API 403; page 403, or a re-shown form with
  an error) and nothing written: no event, status unchanged;
* the action is granted and open now (listed in the appeal's `actions`) → it succeeds.
Each cell runs in a savepoint rolled back afterwards, so every cell starts from the same appeals."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from shequ.appeals.access import ACTORS, NONE, OWN_PAGE_ACTIONS, POLICY, RELATIONS
from shequ.appeals.models import Appeal, AppealEvent
from shequ.appeals.tests.test_policy_matrix import PERSONAS as READ_PERSONAS
from shequ.appeals.tests.test_policy_matrix import appeals  # noqa: F401 (the fixture)
from shequ.conftest import make_user
from shequ.directory import parties as dparties
from shequ.directory import places as dplaces
from shequ.directory.models import PlaceKind, Role

pytestmark = pytest.mark.django_db

ACTIONS = [a for a in ACTORS if a not in OWN_PAGE_ACTIONS]
PERSONAS = {**READ_PERSONAS, "grid_worker": "volunteer", "env_member": "volunteer"}
PAGE_ACTION = {"rate": "feedback"}  # the page's name for the resident's answer


@pytest.fixture
def volunteers(world):
    """A 网格员 of the grid holding compound A and an elected 环物会 owner member of compound A, neither
    living in the community (so what they may do comes from their role)."""
    grid = dplaces.place_create(kind=PlaceKind.GRID, name="第一网格", parent=world.community)
    dplaces.place_update(place=world.compound_a, parent=grid)
    world.grid_worker = make_user("13900000021", "网格员甲")
    dparties.membership_create(user=world.grid_worker, party=world.rc, role=Role.GRID_WORKER, places=[grid])
    world.env_member = make_user("13900000022", "委员甲")
    dparties.membership_create(
        user=world.env_member, party=world.env_committee, role=Role.MEMBER, places=[world.compound_a]
    )
    return world


def _body(world, cases, action: str) -> dict:
    """A valid body for every action (a real party, a real original), so a refusal is the permission's."""
    body = {"reason": "测试原因", "text": "测试内容", "solved": True, "rating": "satisfied"}
    if action in ("dispatch", "redispatch", "transfer"):
        body["to_party_id"] = world.company_x.pk
    if action == "merge":
        body["into_id"] = cases[("other_building", "public")].pk
    return body


def _page_body(world, cases) -> dict:
    return {
        "reason": "测试原因",
        "text": "测试内容",
        "to_party": str(world.company_x.pk),
        "into": str(cases[("other_building", "public")].pk),
        "solved": "yes",
        "rating": "satisfied",
    }


def _state(appeal: Appeal) -> tuple:
    row = Appeal.objects.filter(pk=appeal.pk).values_list("status", "responsible_party_id").get()
    return (*row, AppealEvent.objects.filter(appeal=appeal).count())


def _cell(run):
    """Run one request in a savepoint, read what it wrote, roll it back."""
    with transaction.atomic():
        out = run()
        transaction.set_rollback(True)
    return out


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_actions_follow_the_policy_table(client, volunteers, appeals, persona):  # noqa: F811
    world = volunteers
    row = POLICY[PERSONAS[persona]]
    assert tuple(row) == RELATIONS
    user = getattr(world, persona)
    client.force_login(user)
    wrong: list[tuple] = []
    done = 0
    for (relation, visibility), appeal in appeals.items():
        grant = row[relation]
        visible = getattr(grant, visibility) != NONE
        before = _state(appeal)
        detail = client.get(f"/api/v1/appeals/{appeal.pk}")
        if detail.status_code != (200 if visible else 404):
            wrong.append(("read", relation, visibility, detail.status_code))
        open_now = set(detail.json()["actions"]) if detail.status_code == 200 else set()
        if not open_now <= grant.actions:
            wrong.append((relation, visibility, "offers", sorted(open_now - grant.actions)))
        for action in ACTIONS:

            def api(action=action, appeal=appeal):
                got = client.post(
                    f"/api/v1/appeals/{appeal.pk}/{action}",
                    json.dumps(_body(world, appeals, action)),
                    content_type="application/json",
                )
                return got.status_code, _state(appeal)

            status, after = _cell(api)
            if not visible:
                ok = status == 404 and after == before
            elif action not in grant.actions:
                ok = status == 403 and after == before
            elif action in open_now and action not in ("dispatch", "redispatch", "transfer", "merge"):
                ok = status == 200  # granted and open: it works (targets aside: routing decides them)
                done += ok
            else:
                ok = True  # granted, not open in this status or routing: the table allows, not demands
            if not ok:
                wrong.append(("api", relation, visibility, action, status, before, after))

            page_action = PAGE_ACTION.get(action, action)

            def page(page_action=page_action, appeal=appeal):
                got = client.post(f"/appeals/{appeal.pk}/act/{page_action}", _page_body(world, appeals))
                return got.status_code, _state(appeal)

            status, after = _cell(page)
            if not visible:
                ok = status == 404 and after == before
            elif action not in grant.actions:
                ok = status in (302, 403, 404) and after == before
            if not ok:
                wrong.append(("page", relation, visibility, action, status, before, after))
    assert not wrong, wrong
    # The matrix can pass a write: every persona whose table row grants an action somewhere did one.
    if any(g.actions and (g.public != NONE or g.private != NONE) for g in row.values()):
        assert done, "no granted action succeeded"
