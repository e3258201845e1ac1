from __future__ import annotations

import pytest

from shequ.notices import services
from shequ.notices.models import Channel


def post(world, place, **kw):
    return services.notice_create(
        author=world.rc_staff,
        party=world.rc,
        channel=Channel.COMMUNITY,
        place=place,
        title=kw.pop("title", "通知"),
        body="内容",
        **kw,
    )


@pytest.fixture
def api(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_feed_api_paginated_and_scoped(world, api, django_assert_max_num_queries):
    for i in range(23):
        post(world, world.building_a1, title=f"楼{i}")
    post(world, world.building_b1, title="乙楼")
    c = api(world.resident_a)
    with django_assert_max_num_queries(8):
        r = c.get("/api/v1/notices/feed?page_size=20")
    data = r.json()
    assert r.status_code == 200 and data["count"] == 23 and len(data["items"]) == 20
    assert all(item["title"].startswith("楼") for item in data["items"])
    assert c.get("/api/v1/notices/feed?page=2&page_size=20").json()["items"][-1]["title"] == "楼0"


def test_create_api_permissions_and_errors(world, api):
    c = api(world.handler_x)
    body = {
        "party_id": world.company_x.pk,
        "channel": "property",
        "place_id": world.compound_b.pk,
        "title": "越权",
        "body": "x",
    }
    r = c.post("/api/v1/notices", body, content_type="application/json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "scope_not_served"
    body["place_id"] = world.compound_a.pk
    r = c.post("/api/v1/notices", body, content_type="application/json")
    assert r.status_code == 201, r.content
    nid = r.json()["id"]
    body["title"] = ""
    r = c.post("/api/v1/notices", body, content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["message_en"]
    rights = c.get("/api/v1/notices/rights").json()["items"]
    assert rights == [
        {
            "party_id": world.company_x.pk,
            "party": "甲物业",
            "channel": "property",
            "place_ids": [world.compound_a.pk],
        }
    ]
    # read
    c = api(world.resident_a)
    r = c.post(f"/api/v1/notices/{nid}/read")
    assert r.status_code == 200 and r.json()["read_count"] == 1 and r.json()["is_read"]
    assert c.get(f"/api/v1/notices/{nid}").json()["body"] == "x"
    c = api(world.resident_b)  # public notice of another compound: readable but not in the feed
    assert c.get("/api/v1/notices/feed").json()["count"] == 0


def test_api_requires_login_and_hides_private(world, client):
    n = post(world, world.building_a1, is_public=False)
    assert client.get("/api/v1/notices/feed").status_code == 401
    client.force_login(world.resident_b)
    r = client.get(f"/api/v1/notices/{n.pk}")
    assert r.status_code == 403 and r.json()["error"]["code"] == "notice_private"
    assert client.get("/api/v1/notices/999999").status_code == 404
    assert client.get(f"/api/v1/notices/{n.pk}/unread/{world.building_a1.pk}").status_code == 403
    client.force_login(world.building_leader)
    r = client.get(f"/api/v1/notices/{n.pk}/unread/{world.building_a1.pk}")
    assert r.status_code == 200, r.content
    assert r.json()["items"] == [
        {"household_id": world.household_a.pk, "household": "1单元101", "residents": ["张三"]}
    ]


def test_attachments_api_multipart(world, api, png_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    n = post(world, world.building_a1)
    c = api(world.resident_a)
    r = c.post(f"/api/v1/notices/{n.pk}/attachments", {"files": [SimpleUploadedFile("a.png", png_bytes)]})
    assert r.status_code == 403
    c = api(world.rc_staff)
    r = c.post(
        f"/api/v1/notices/{n.pk}/attachments", {"files": [SimpleUploadedFile("evil.png", b"MZ\x90\x00")]}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "file_type"
    r = c.post(
        f"/api/v1/notices/{n.pk}/attachments",
        {"files": [SimpleUploadedFile("a.png", png_bytes), SimpleUploadedFile("b.pdf", b"%PDF-1.7 x")]},
    )
    assert r.status_code == 201, r.content
    assert [a["kind"] for a in r.json()] == ["image", "pdf"]
    c = api(world.resident_a)
    detail = c.get(f"/api/v1/notices/{n.pk}").json()
    assert len(detail["attachments"]) == 2
    assert c.get(detail["attachments"][1]["url"]).status_code == 200
