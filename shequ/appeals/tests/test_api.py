"""The REST API: create (JSON, multipart, idempotent), list (filters, pagination, pinned queries),
actions, photos, errors."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shequ.appeals import services
from shequ.appeals.models import Appeal
from shequ.core import clock

pytestmark = pytest.mark.django_db


def jpeg(size=(300, 200), exif=True) -> SimpleUploadedFile:
    buf = io.BytesIO()
    ex = Image.Exif()
    if exif:
        ex[0x8825] = {1: "N", 2: (39.0, 58.0, 0.0), 3: "E", 4: (116.0, 19.0, 0.0)}
    Image.new("RGB", size, (10, 120, 200)).save(buf, format="JPEG", exif=ex.tobytes())
    return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")


def create(client, body, **headers):
    return client.post("/api/v1/appeals", json.dumps(body), content_type="application/json", **headers)


def test_unauthenticated_is_401(world, client):
    r = client.get("/api/v1/appeals")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert create(client, {"category": "lift", "text": "x"}).status_code == 401


def test_categories_are_public(world, client):
    body = client.get("/api/v1/categories").json()["items"]
    lift = next(c for c in body if c["code"] == "lift")
    assert lift == {**lift, "name": "电梯", "parent": "facilities", "default_party_kind": "property_company"}
    assert next(c for c in body if c["code"] == "health")["is_consultation"] is True


def test_create_json(world, client):
    client.force_login(world.resident_a)
    r = create(
        client,
        {"category": "lift", "text": "1号楼电梯困人", "urgency": "emergency", "spot_id": world.lift_a1.pk},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "dispatched" and body["kind"] == "help"
    assert body["category"] == {"code": "lift", "name": "电梯"}
    assert body["responsible_party"] == {
        "id": world.company_x.pk,
        "name": "甲物业",
        "kind": "property_company",
    }
    assert body["escalation_level"] == 0 and body["accept_due_at"] and body["resolve_due_at"]
    assert body["number"] and body["id"]
    assert "1号电梯" in body["place"]["label"]
    assert [e["kind"] for e in body["events"]] == ["submitted", "dispatched"]
    assert "reply" in body["actions"] and "accept" not in body["actions"]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"text": "无分类"}, 422, "category"),
        ({"category": "nope", "text": "x"}, 422, "category"),
        ({"category": "lift"}, 422, "text"),
        ({"category": "lift", "text": "x", "kind": "gossip"}, 422, "kind"),
        ({"category": "lift", "text": "x", "urgency": "later"}, 422, "urgency"),
        ({"category": "lift", "text": "x", "place_id": 999999}, 422, "place_id"),
        ({"category": "lift", "text": "x", "kind": "consult"}, 422, "category"),
        ({"category": "lift", "text": "x" * 2001}, 422, "text"),
    ],
)
def test_create_validation_errors(world, client, payload, status, field):
    client.force_login(world.resident_a)
    r = create(client, payload)
    assert r.status_code == status
    err = r.json()["error"]
    assert field in err["fields"] and err["message_zh"] and err["message_en"]
    assert not Appeal.objects.exists()


def test_create_forbidden_place(world, client):
    client.force_login(world.resident_a)
    r = create(client, {"category": "lift", "text": "x", "place_id": world.household_b.pk})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_your_home"


def test_bad_json_is_422(world, client):
    client.force_login(world.resident_a)
    r = client.post("/api/v1/appeals", "{not json", content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_json"


def test_idempotent_create(world, client):
    client.force_login(world.resident_a)
    first = create(client, {"category": "lift", "text": "电梯坏了"}, HTTP_IDEMPOTENCY_KEY="abc-1")
    again = create(client, {"category": "lift", "text": "电梯坏了"}, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Appeal.objects.count() == 1
    other = create(client, {"category": "lift", "text": "电梯坏了"}, HTTP_IDEMPOTENCY_KEY="abc-2")
    assert other.json()["id"] != first.json()["id"]
    # A failed request is not remembered: fixing it and retrying with the same key works.
    bad = create(client, {"category": "nope", "text": "x"}, HTTP_IDEMPOTENCY_KEY="abc-3")
    assert bad.status_code == 422
    assert create(client, {"category": "lift", "text": "x"}, HTTP_IDEMPOTENCY_KEY="abc-3").status_code == 201


def test_idempotent_action(world, client, file_appeal):
    appeal = file_appeal()
    client.force_login(world.handler_x)
    url = f"/api/v1/appeals/{appeal.pk}/reply"
    for _ in range(2):
        r = client.post(
            url, json.dumps({"text": "收到"}), content_type="application/json", HTTP_IDEMPOTENCY_KEY="reply-1"
        )
        assert r.status_code == 200
    assert appeal.events.filter(kind="replied").count() == 1


def test_create_multipart_with_photos(world, client, file_appeal):
    client.force_login(world.resident_a)
    r = client.post(
        "/api/v1/appeals",
        {
            "category": "leaks",
            "text": "天花板漏水",
            "is_public": "false",
            "photos": [jpeg(), jpeg((2000, 3000))],
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["is_public"] is False and len(body["photos"]) == 2
    photo = body["photos"][0]
    got = client.get(photo["url"])
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    img = Image.open(io.BytesIO(b"".join(got.streaming_content)))
    assert not img.getexif()
    thumb = client.get(photo["thumb_url"])
    assert max(Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size) <= 320
    # Private appeal: a neighbour gets 404 for the photo too.
    client.force_login(world.resident_b)
    assert client.get(photo["url"]).status_code == 404
    client.force_login(world.handler_x)
    assert client.get(photo["url"]).status_code == 200
    assert client.get(f"/api/v1/appeals/{body['id']}/photos/999999").status_code == 404


def test_multipart_rejects_non_images(world, client):
    client.force_login(world.resident_a)
    fake = SimpleUploadedFile("evil.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    r = client.post("/api/v1/appeals", {"category": "lift", "text": "x", "photos": [fake]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "photo_not_image"
    assert "photos" in r.json()["error"]["fields"]
    r = client.post(
        "/api/v1/appeals",
        {"category": "lift", "text": "x", "photos": [jpeg((10, 10), exif=False) for _ in range(10)]},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "too_many_photos"
    assert not Appeal.objects.exists()


def test_add_photos_and_resolve_with_photos(world, client, file_appeal):
    appeal = file_appeal()
    client.force_login(world.resident_a2)  # sees it (public) but is not involved
    assert client.post(f"/api/v1/appeals/{appeal.pk}/photos", {"photos": [jpeg()]}).status_code == 403
    client.force_login(world.resident_a)
    assert client.post(f"/api/v1/appeals/{appeal.pk}/photos", {"photos": [jpeg()]}).status_code == 201
    client.force_login(world.handler_x)
    client.post(f"/api/v1/appeals/{appeal.pk}/accept")
    r = client.post(f"/api/v1/appeals/{appeal.pk}/resolve", {"text": "已修复", "photos": [jpeg()]})
    assert r.status_code == 200, r.content
    stages = sorted(p["stage"] for p in r.json()["photos"])
    assert stages == ["progress", "resolution"]
    resolved = next(e for e in r.json()["events"] if e["kind"] == "resolved")
    assert len(resolved["photos"]) == 1


def test_pagination_and_filters(world, client, file_appeal):
    for i in range(5):
        file_appeal(text=f"电梯{i}")
    file_appeal(category="garbage", place=world.compound_a, urgency="urgent", text="垃圾没清")
    file_appeal(reporter=world.resident_b, place=world.household_b, text="乙小区")
    client.force_login(world.resident_a)
    r = client.get("/api/v1/appeals?scope=mine&page_size=4")
    body = r.json()
    assert (body["count"], body["page"], body["page_size"], len(body["items"])) == (6, 1, 4, 4)
    assert len(client.get("/api/v1/appeals?scope=mine&page_size=4&page=2").json()["items"]) == 2
    assert client.get("/api/v1/appeals?scope=mine&page=9").json()["items"] == []
    assert client.get("/api/v1/appeals?page_size=101").status_code == 422
    assert client.get("/api/v1/appeals?page=0").status_code == 422
    assert client.get("/api/v1/appeals?scope=everything").status_code == 422
    q = "/api/v1/appeals?scope=public"
    assert client.get(q).json()["count"] == 7
    assert client.get(q + "&category=garbage").json()["count"] == 1
    assert client.get(q + "&category=facilities").json()["count"] == 6
    assert client.get(q + "&urgency=urgent").json()["count"] == 1
    assert client.get(q + f"&compound={world.compound_b.pk}").json()["count"] == 1
    assert client.get(q + f"&place={world.building_b1.pk}").json()["count"] == 1
    assert client.get(q + "&status=dispatched").json()["count"] == 7
    assert client.get(q + "&status=open").json()["count"] == 7
    assert client.get(q + "&status=closed,resolved").json()["count"] == 0
    assert client.get(q + "&overdue=true").json()["count"] == 0
    with clock.frozen(clock.now() + timedelta(hours=3)):
        assert client.get(q + "&overdue=true").json()["count"] == 7
        items = client.get(q + "&overdue=true").json()["items"]
        assert all(item["overdue"] for item in items)
    assert client.get(q + "&overdue=false").json()["count"] == 7


@pytest.mark.parametrize(
    "scope,who",
    [
        ("assigned", "handler_x"),
        ("mine", "resident_a"),
        ("public", "resident_b"),
        ("assigned", "rc_staff"),
        ("public", "observer"),
    ],
)
def test_list_query_count_does_not_grow(
    world, client, file_appeal, django_assert_max_num_queries, scope, who
):
    client.force_login(getattr(world, who))
    file_appeal()
    client.get(f"/api/v1/appeals?scope={scope}")  # the cached tables (categories, parties) loaded once
    with django_assert_max_num_queries(9) as few:
        assert client.get(f"/api/v1/appeals?scope={scope}").status_code == 200
    for i in range(15):
        a = file_appeal(text=f"第{i}条", spot=world.lift_a1)
        services.appeal_transition(appeal=a, actor=world.handler_x, action="escalate", reason="测试")
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        r = client.get(f"/api/v1/appeals?scope={scope}&page_size=100")
    assert r.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_detail_query_count_is_bounded(world, client, file_appeal, django_assert_max_num_queries):
    appeal = file_appeal()
    for i in range(10):
        services.appeal_transition(appeal=appeal, actor=world.handler_x, action="reply", text=f"进展{i}")
    client.force_login(world.resident_b)
    # 16: the row's relations are read one query per related model (selectors.attach_related: 7 small
    # lookups instead of one 17-join query that PostgreSQL took 18-37 ms to plan at 1M appeals)
    with django_assert_max_num_queries(16):
        assert client.get(f"/api/v1/appeals/{appeal.pk}").status_code == 200


def test_openapi_lists_the_endpoints(world, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/appeals",
        "/api/v1/appeals/{appeal_id}",
        "/api/v1/appeals/{appeal_id}/accept",
        "/api/v1/appeals/{appeal_id}/rate",
        "/api/v1/categories",
        "/api/v1/appeals/{appeal_id}/photos/{photo_id}",
    ):
        assert path in paths
    body = paths["/api/v1/appeals"]["post"]["requestBody"]["content"]
    assert "application/json" in body and "multipart/form-data" in body


def test_all_actions_over_http(world, client, file_appeal):
    """Each action endpoint works with a JSON body (the table test covers the rules)."""
    appeal = file_appeal()
    steps = [
        ("handler_x", "accept", {}),
        ("handler_x", "pause", {"reason": "等配件"}),
        ("handler_x", "resume", {}),
        ("handler_x", "note", {"text": "内部"}),
        ("handler_x", "reply", {"text": "明天修"}),
        ("handler_x", "escalate", {"reason": "需要协调"}),
        ("handler_x", "resolve", {"text": "修好了"}),
        ("resident_a", "reopen", {"reason": "又坏了"}),
        ("handler_x", "resolve", {"text": "再修好"}),
        ("resident_a", "confirm", {}),
        ("resident_a", "rate", {"solved": True, "rating": "satisfied"}),
    ]
    for who, action, body in steps:
        client.force_login(getattr(world, who))
        r = client.post(
            f"/api/v1/appeals/{appeal.pk}/{action}", json.dumps(body), content_type="application/json"
        )
        assert r.status_code == 200, (action, r.content)
    assert r.json()["status"] == "closed" and r.json()["rating"] == "satisfied"
    other = file_appeal(category="neighbour-dispute")
    dup = file_appeal(category="neighbour-dispute", text="重复")
    client.force_login(world.volunteer)
    assert (
        client.post(
            f"/api/v1/appeals/{other.pk}/return",
            json.dumps({"reason": "需民警"}),
            content_type="application/json",
        ).status_code
        == 200
    )
    client.force_login(world.rc_staff)
    for action, body in (
        ("dispatch", {"to_party_id": world.police.pk}),
        ("redispatch", {"to_party_id": world.mutual_aid.pk}),
        ("transfer", {"to_party_id": world.police.pk, "reason": "治安"}),
    ):
        r = client.post(
            f"/api/v1/appeals/{other.pk}/{action}", json.dumps(body), content_type="application/json"
        )
        assert r.status_code == 200, (action, r.content)
    r = client.post(
        f"/api/v1/appeals/{dup.pk}/merge", json.dumps({"into_id": other.pk}), content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["merged_into"] == other.pk
    r = client.post(
        f"/api/v1/appeals/{other.pk}/close", json.dumps({"reason": "已调解"}), content_type="application/json"
    )
    assert r.json()["status"] == "closed"
    r = client.post(
        f"/api/v1/appeals/{other.pk}/close", json.dumps({"reason": "again"}), content_type="application/json"
    )
    assert r.status_code == 409
    r = client.post(
        f"/api/v1/appeals/{other.pk}/rate", json.dumps({"solved": "maybe"}), content_type="application/json"
    )
    assert r.status_code in (403, 422)


def test_staff_files_on_behalf_over_api(world, client):
    client.force_login(world.building_leader)
    r = create(
        client,
        {
            "category": "water",
            "text": "老人家里没水",
            "reporter_phone": world.resident_a.phone,
            "place_id": world.household_a.pk,
        },
    )
    assert r.status_code == 201, r.content
    appeal = Appeal.objects.get(pk=r.json()["id"])
    assert (appeal.reporter, appeal.filed_by, appeal.source) == (
        world.resident_a,
        world.building_leader,
        "staff",
    )
    assert r.json()["reporter"]["name"] == "张三"  # the filer is on the reporter's side
    # A phone with no resident in the filer's area is a caller without an account: a place is needed.
    r = create(client, {"category": "water", "text": "x", "reporter_phone": "13012345678"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "place_required"
    client.force_login(world.handler_y)  # company Y does not serve compound A
    r = create(
        client,
        {
            "category": "water",
            "text": "x",
            "reporter_phone": world.resident_a.phone,
            "place_id": world.household_a.pk,
        },
    )
    assert r.status_code == 403


def test_docs_page(world, client):
    assert client.get("/api/v1/docs").status_code == 200
