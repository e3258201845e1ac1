"""The 12345 exchange through the API: the page's permission, import all-or-nothing with the row-by-row
zh/en report, dedupe, the remembered mapping, the unmatched queue and its assignment, export; OpenAPI."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shequ.analytics.models import HotlineMapping, HotlineOrder
from shequ.analytics.tests.test_hotline import GOOD, _csv
from shequ.appeals.models import Appeal
from shequ.directory import places as dplaces
from shequ.directory.models import PlaceKind

pytestmark = pytest.mark.django_db
BASE = "/api/v1/analytics/hotline"


def _token(client, user) -> dict:
    r = client.post(
        "/api/v1/auth/login",
        {"phone": user.phone, "password": "shequ-test-pass"},
        content_type="application/json",
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}


def _upload(client, auth, data, name="orders.csv", **form):
    return client.post(f"{BASE}/imports", {"file": SimpleUploadedFile(name, data), **form}, **auth)


def test_import_list_assign_and_export(client, world, django_assert_max_num_queries):
    # a street of two communities: an unmatched order waits for the street office to send it to one
    dplaces.place_create(kind=PlaceKind.COMMUNITY, name="另一社区", parent=world.street)
    auth = _token(client, world.street_leader)
    areas = client.get(f"{BASE}/areas", **auth).json()["items"]
    assert [a["id"] for a in areas] == [world.street.pk]
    r = _upload(client, auth, GOOD, area=world.street.pk)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["ok"], body["imported"], body["matched"], body["unmatched"]) == (True, 4, 2, 2)
    again = _upload(client, auth, GOOD).json()  # the same file again: deduplicated, nothing new
    assert again["imported"] == 0 and HotlineOrder.objects.count() == 4
    assert Appeal.objects.filter(source="hotline").count() == 3
    with django_assert_max_num_queries(12):
        filed = client.get(f"{BASE}/orders?page_size=2", **auth).json()
    assert filed["count"] == 3 and len(filed["items"]) == 2 and filed["items"][0]["appeal_number"]
    waiting = client.get(f"{BASE}/orders?unmatched=true", **auth).json()
    assert [o["number"] for o in waiting["items"]] == ["H004"]
    order_id = waiting["items"][0]["id"]
    r = client.post(
        f"{BASE}/orders/{order_id}/assign",
        {"community_id": world.street.pk},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 422 and r.json()["error"]["message_en"]
    r = client.post(
        f"{BASE}/orders/{order_id}/assign",
        {"community_id": world.community.pk},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 200 and r.json()["appeal_id"] and r.json()["place"] == world.community.name
    r = client.get(f"{BASE}/export?format=json", **auth)
    assert r.status_code == 200 and {row["工单编号"] for row in json.loads(r.content)} == {
        "H001",
        "H002",
        "H003",
        "H004",
    }
    assert client.get(f"{BASE}/export", **auth)["Content-Type"].startswith("text/csv")  # the last import's
    assert client.get(f"{BASE}/export?format=pdf", **auth).status_code == 422


def test_a_bad_file_is_reported_row_by_row_and_nothing_is_imported(client, world):
    auth = _token(client, world.street_leader)
    data = _csv(
        "H101,2026-11-02 09:00,王大爷,139,甲小区1号楼,电梯,电梯停运,,",
        "H101,2026-11-02 09:00,王大爷,139,甲小区1号楼,电梯,电梯停运,,",
        "H102,昨天,王大爷,139,甲小区1号楼,电梯,电梯停运,,",
    )
    r = _upload(client, auth, data)
    assert r.status_code == 422
    body = r.json()
    assert body["error"]["code"] == "import_rejected" and "2 行" in body["error"]["message_zh"]
    rows = {x["row"]: x for x in body["report"]["rejected"]}
    assert set(rows) == {3, 4} and "重复" in rows[3]["reason_zh"] and "bad call time" in rows[4]["reason_en"]
    assert HotlineOrder.objects.count() == 0 and Appeal.objects.count() == 0
    r = _upload(client, auth, b"\x00\x01", name="x.pdf")
    assert r.status_code == 422 and "Only .xlsx" in r.json()["report"]["rejected"][0]["reason_en"]
    r = _upload(client, auth, GOOD, mapping="{not json")
    assert r.status_code == 422 and "mapping" in r.json()["error"]["fields"]
    r = _upload(client, auth, GOOD, mapping=json.dumps({"nope": "x"}))
    assert r.status_code == 422 and "nope" in r.json()["error"]["message_en"]


def test_the_mapping_is_remembered_for_the_area(client, world):
    auth = _token(client, world.street_leader)
    data = "单号,受理时间,事发地点,问题类别,诉求描述\nX1,2026-11-05 08:30,甲小区2号楼,供水,没水了\n".encode()
    mapping = {
        "number": "单号",
        "received_at": "受理时间",
        "address": "事发地点",
        "category": "问题类别",
        "content": "诉求描述",
    }
    r = _upload(client, auth, data, mapping=json.dumps(mapping, ensure_ascii=False))
    assert r.status_code == 201, r.content
    assert HotlineMapping.objects.get(area=world.street).columns == mapping
    got = client.get(f"{BASE}/mapping", **auth).json()
    assert got["columns"] == mapping and "number" in got["required"] and got["fields"]["number"] == "工单编号"
    more = data.decode().replace("X1", "X2").encode()
    assert _upload(client, auth, more).json()["imported"] == 1  # no mapping sent: the remembered one


def test_the_page_permission_applies(client, world):
    for user in (world.observer, world.resident_a, world.handler_x, world.building_leader):
        auth = _token(client, user)
        assert client.get(f"{BASE}/areas", **auth).status_code == 403, user.real_name
        assert _upload(client, auth, GOOD).status_code == 403
        assert client.get(f"{BASE}/orders", **auth).status_code == 403
        assert client.get(f"{BASE}/export", **auth).status_code == 403
    assert HotlineOrder.objects.count() == 0
    auth = _token(client, world.rc_staff)  # the residents' committee: its community only
    assert client.get(f"{BASE}/orders?area={world.street.pk}", **auth).status_code == 404
    assert client.get(f"{BASE}/orders?area={world.community.pk}", **auth).status_code == 200
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for p in ("areas", "mapping", "imports", "orders", "orders/{order_id}/assign", "export"):
        assert f"{BASE}/{p}" in paths, p
