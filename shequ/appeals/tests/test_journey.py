"""Issue 3 "Done when", through the API alone (bearer tokens): file → dispatched in the same request →
found in scope=assigned → accept, reply, resolve → confirm and rate → the public view shows the timeline
masked → another company's handler gets 404 → a retried create returns the same id."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from shequ.accounts.models import User
from shequ.appeals.models import Appeal

PASSWORD = "shequ-test-pass"


class Api:
    def __init__(self, client, phone: str, password: str = PASSWORD):
        self.client = client
        r = client.post(
            "/api/v1/auth/login",
            json.dumps({"phone": phone, "password": password}),
            content_type="application/json",
        )
        assert r.status_code == 200, r.content
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}

    def get(self, url):
        return self.client.get(f"/api/v1{url}", **self.auth)

    def post(self, url, body=None, **headers):
        return self.client.post(
            f"/api/v1{url}", json.dumps(body or {}), content_type="application/json", **self.auth, **headers
        )


def journey(
    client,
    *,
    resident: str,
    handler: str,
    other_handler: str,
    neighbour: str,
    company_id: int,
    password: str = PASSWORD,
) -> None:
    client.logout()
    me = Api(client, resident, password)
    before = Appeal.objects.count()
    body = {
        "kind": "help",
        "category": "lift",
        "text": "3号楼2单元电梯停在5楼不动，请尽快修理，电话13812345678",
    }
    created = me.post("/appeals", body, HTTP_IDEMPOTENCY_KEY="journey-1")
    assert created.status_code == 201, created.content
    appeal = created.json()
    assert appeal["status"] == "dispatched"
    assert appeal["responsible_party"]["id"] == company_id
    assert appeal["responsible_party"]["kind"] == "property_company"
    assert appeal["accept_due_at"] and appeal["resolve_due_at"]
    aid = appeal["id"]

    # A retried create with the same Idempotency-Key returns the same appeal, not a second one.
    again = me.post("/appeals", body, HTTP_IDEMPOTENCY_KEY="journey-1")
    assert again.status_code == 201 and again.json()["id"] == aid
    assert Appeal.objects.count() == before + 1

    staff = Api(client, handler, password)
    assigned = staff.get("/appeals?scope=assigned&status=dispatched").json()
    assert aid in [item["id"] for item in assigned["items"]]
    assert staff.post(f"/appeals/{aid}/accept").json()["status"] == "accepted"
    assert (
        staff.post(f"/appeals/{aid}/reply", {"text": "维修师傅30分钟内到达"}).json()["status"]
        == "in_progress"
    )
    resolved = staff.post(f"/appeals/{aid}/resolve", {"text": "已更换门机控制板，电梯恢复运行"}).json()
    assert resolved["status"] == "resolved" and resolved["callback_due_at"]

    assert me.post(f"/appeals/{aid}/confirm").json()["status"] == "closed"
    rated = me.post(f"/appeals/{aid}/rate", {"solved": True, "rating": "satisfied"}).json()
    assert (rated["rating"], rated["solved"], rated["status"]) == ("satisfied", True, "closed")

    # The public view: the whole timeline, name and phone masked.
    public = Api(client, neighbour, password).get(f"/appeals/{aid}")
    assert public.status_code == 200
    view = public.json()
    kinds = [e["kind"] for e in view["events"]]
    assert kinds == ["submitted", "dispatched", "accepted", "replied", "resolved", "confirmed", "rated"]
    real = User.objects.get(phone=resident)
    assert view["reporter"]["name"] == real.real_name[0] + "*" * (len(real.real_name) - 1)
    assert view["reporter"]["phone"] == resident[:3] + "****" + resident[-4:]
    dump = json.dumps(view, ensure_ascii=False)
    assert resident not in dump and real.real_name not in dump and "13812345678" not in dump
    assert "138****5678" in view["text"]

    # Another company's handler cannot see it, let alone act on it.
    other = Api(client, other_handler, password)
    assert other.get(f"/appeals/{aid}").status_code in (403, 404)
    assert other.post(f"/appeals/{aid}/reopen", {"reason": "x"}).status_code in (403, 404)


@pytest.mark.django_db
def test_journey_world(world, client):
    world.resident_b  # noqa: B018 — same community as A: the public view is masked for them
    journey(
        client,
        resident=world.resident_a.phone,
        handler=world.handler_x.phone,
        other_handler=world.handler_y.phone,
        neighbour=world.resident_b.phone,
        company_id=world.company_x.pk,
    )


@pytest.mark.django_db
@pytest.mark.slow
def test_journey_demo(client):
    """The same journey on the demo community (希格玛社区 知春东里 3号楼, served by pm01)."""
    from shequ.demo import data
    from shequ.demo.services import demo_load
    from shequ.directory.models import Party

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        demo_load()
    resident = "13800000001"  # 张秀芳, 知春东里 3号楼
    home = User.objects.get(phone=resident).residencies.get().household
    company = Party.objects.get(code="demo-pm01")
    assert home.compound.name == "知春东里"
    journey(
        client,
        resident=resident,
        handler="13900000043",
        other_handler="13900000044",
        neighbour="13800000002",
        company_id=company.pk,
        password=data.DEMO_PASSWORD,
    )

    # Default routing on the demo data needs no per-community rules.
    from shequ.appeals import routing
    from shequ.appeals.models import Category

    expected = {
        "lift": "property_company",
        "water": "property_company",
        "bike-shed": "property_company",
        "neighbour-dispute": "mutual_aid_station",
        "safety": "police_station",
        "health": "family_doctor_team",
        "elderly-care": "family_doctor_team",
        "garbage": "residents_committee",
        "illegal-building": "residents_committee",
    }
    for code, kind in expected.items():
        found = routing.route(category=Category.objects.get(code=code), place=home)
        assert found.dispatched and found.party.kind == kind, (code, found.party)
        assert found.dispatcher.kind == "residents_committee"
