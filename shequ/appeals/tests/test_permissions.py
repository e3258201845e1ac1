"""The permission matrix through the API: who sees (200/404) and who may act (403/409)."""

from __future__ import annotations

import json

import pytest

from shequ.accounts.models import Residency
from shequ.appeals import services
from shequ.conftest import make_user

pytestmark = pytest.mark.django_db

SEE = {
    # user:            pub_a  priv_a consult_a pub_b
    "resident_a": (200, 200, 200, 200),
    "family_a": (200, 200, 200, 200),
    "resident_a2": (200, 404, 404, 200),
    "resident_b": (200, 404, 404, 200),
    "handler_x": (200, 200, 404, 404),
    "handler_y": (404, 404, 404, 200),
    "rc_staff": (200, 200, 404, 200),
    "party_secretary": (200, 200, 404, 200),
    "env_director": (200, 200, 404, 200),
    "street_leader": (200, 200, 404, 200),
    "observer": (200, 200, 404, 200),
    "doctor": (404, 404, 200, 404),
    "police_officer": (404, 404, 404, 404),
    "volunteer": (404, 404, 404, 404),
    "outsider": (404, 404, 404, 404),
}


@pytest.fixture
def cases(world, file_appeal):
    family = make_user("13800000099", "张小妹")
    Residency.objects.create(user=family, household=world.household_a, relation="family", status="verified")
    world.family_a = family
    return {
        "pub_a": file_appeal(text="电梯异响"),
        "priv_a": file_appeal(text="楼道漏水，不公开", category="leaks", is_public=False),
        "consult_a": file_appeal(text="血压高怎么办", category="health", kind="consult"),
        "pub_b": file_appeal(reporter=world.resident_b, place=world.household_b, text="乙小区电梯坏"),
    }


@pytest.mark.parametrize("who", list(SEE))
def test_who_sees_what(world, cases, client, who):
    client.force_login(getattr(world, who))
    got = tuple(
        client.get(f"/api/v1/appeals/{cases[k].pk}").status_code
        for k in ("pub_a", "priv_a", "consult_a", "pub_b")
    )
    assert got == SEE[who]
    # Lists never show more than the detail does.
    seen = set()
    for scope in ("mine", "assigned", "public"):
        body = client.get(f"/api/v1/appeals?scope={scope}&page_size=100").json()
        seen |= {item["id"] for item in body["items"]}
    allowed = {
        cases[k].pk
        for k, code in zip(("pub_a", "priv_a", "consult_a", "pub_b"), SEE[who], strict=True)
        if code == 200
    }
    assert seen <= allowed


def ids(client, scope):
    return {i["id"] for i in client.get(f"/api/v1/appeals?scope={scope}").json()["items"]}


def test_scopes(world, cases, client):
    c = cases
    client.force_login(world.resident_a)
    assert ids(client, "mine") == {c["pub_a"].pk, c["priv_a"].pk, c["consult_a"].pk}
    assert ids(client, "public") == {c["pub_a"].pk, c["pub_b"].pk}
    assert ids(client, "assigned") == set()
    client.force_login(world.resident_b)
    assert ids(client, "mine") == {c["pub_b"].pk}
    client.force_login(world.handler_x)
    assert ids(client, "assigned") == {c["pub_a"].pk, c["priv_a"].pk}
    client.force_login(world.doctor)
    assert ids(client, "assigned") == {c["consult_a"].pk}
    client.force_login(world.rc_staff)
    assert ids(client, "assigned") == set()  # nothing in the dispatch queue
    assert ids(client, "public") == {c["pub_a"].pk, c["pub_b"].pk}
    # Following brings a public appeal into "mine".
    client.force_login(world.resident_b)
    assert client.post(f"/api/v1/appeals/{c['pub_a'].pk}/follow").status_code == 200
    assert ids(client, "mine") == {c["pub_a"].pk, c["pub_b"].pk}
    assert client.post(f"/api/v1/appeals/{c['priv_a'].pk}/follow").status_code == 404


def post(client, appeal, action, body=None):
    return client.post(
        f"/api/v1/appeals/{appeal.pk}/{action}", json.dumps(body or {}), content_type="application/json"
    )


def test_acting_statuses(world, cases, client):
    pub_a = cases["pub_a"]
    client.force_login(world.resident_a2)  # sees it, may not act
    r = post(client, pub_a, "accept")
    assert r.status_code == 403 and r.json()["error"]["code"] == "action_forbidden"
    client.force_login(world.observer)  # reads everything in the street, never acts
    for action in ("accept", "reply", "note", "escalate", "close"):
        assert post(client, pub_a, action, {"text": "x", "reason": "x"}).status_code == 403
    client.force_login(world.handler_y)  # company Y does not serve compound A: may not even see it
    assert post(client, pub_a, "accept").status_code == 404
    client.force_login(world.handler_x)
    assert post(client, cases["pub_b"], "accept").status_code == 404
    assert post(client, pub_a, "accept").status_code == 200
    r = post(client, pub_a, "accept")
    assert r.status_code == 409 and r.json()["error"]["code"] == "transition_not_allowed"
    assert r.json()["error"]["message_zh"] and r.json()["error"]["message_en"]
    assert client.post(f"/api/v1/appeals/{pub_a.pk}/explode").status_code == 404
    client.force_login(world.rc_staff)
    r = post(client, pub_a, "redispatch", {"to_party_id": world.company_y.pk})
    assert r.status_code == 422 and r.json()["error"]["code"] == "party_not_serving"


def test_internal_notes_only_for_involved_staff(world, cases, client):
    pub_a = cases["pub_a"]
    services.appeal_transition(appeal=pub_a, actor=world.handler_x, action="note", text="内部：业主难沟通")
    for who, sees in (
        ("handler_x", True),
        ("rc_staff", True),
        ("party_secretary", True),
        ("observer", False),
        ("resident_a", False),
        ("resident_b", False),
    ):
        client.force_login(getattr(world, who))
        kinds = [e["kind"] for e in client.get(f"/api/v1/appeals/{pub_a.pk}").json()["events"]]
        assert ("note" in kinds) is sees, who


def test_masking_in_public_view(world, cases, client):
    services.appeal_transition(
        appeal=cases["pub_a"], actor=world.handler_x, action="reply", text="维修电话13912345678"
    )
    appeal = services.appeal_create(
        reporter=world.resident_a,
        kind="complaint",
        category=cases["pub_a"].category,
        place=world.household_a,
        text="请回电13812341234，身份证110101199003074518",
    )
    client.force_login(world.resident_b)
    body = client.get(f"/api/v1/appeals/{appeal.pk}").json()
    assert body["reporter"] == {"name": "张*", "phone": "138****0001"}
    assert "13812341234" not in json.dumps(body) and "138****1234" in body["text"]
    assert "110101199003074518" not in body["text"]
    assert body["place"]["id"] is None
    assert body["place"]["label"] == "测试社区 甲小区 1号楼"
    assert "101" not in body["place"]["label"] and "单元" not in body["place"]["label"]
    assert body["events"][0]["actor"] == "张*"
    listed = client.get("/api/v1/appeals?scope=public").json()["items"]
    assert all("13800000001" not in json.dumps(item) for item in listed)
    reply = client.get(f"/api/v1/appeals/{cases['pub_a'].pk}").json()["events"][-1]
    assert reply["text"] == "维修电话139****5678" and reply["actor"] == "王**"
    # The reporter and the handling company see the real data.
    for who in ("resident_a", "handler_x"):
        client.force_login(getattr(world, who))
        body = client.get(f"/api/v1/appeals/{appeal.pk}").json()
        assert body["reporter"] == {"name": "张三", "phone": "13800000001"}
        assert "101" in body["place"]["label"]
