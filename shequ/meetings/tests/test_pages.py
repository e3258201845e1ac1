"""The meeting pages through HTTP: convene on an appeal, attendance, minutes, action item, close;
permissions for every URL; the meeting page's query count pinned; Excel exports; the API."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shequ.core.widgets import post_value
from shequ.meetings import services
from shequ.meetings.models import ActionItem, Meeting
from shequ.meetings.tests.conftest import T0

pytestmark = pytest.mark.django_db


def test_director_runs_a_meeting_through_the_pages(client, world, appeal):
    client.force_login(world.env_director)
    page = client.get(reverse("meetings:create") + f"?appeal={appeal.pk}&place={world.compound_a.pk}")
    assert page.status_code == 200 and appeal.number in page.content.decode()
    r = client.post(
        reverse("meetings:create"),
        {
            "convener": world.env_committee.pk,
            "place": world.compound_a.pk,
            "topic": "暖气不热协调会",
            **post_value("starts_at", T0 + timedelta(days=1)),
            **post_value("ends_at", T0 + timedelta(days=1, hours=2)),
            "location": "社区会议室",
            "invitees": [world.company_x.pk, world.police.pk],
            "appeals": [appeal.pk],
        },
    )
    meeting = Meeting.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("meetings:detail", args=[meeting.pk])
    inv = meeting.invitations.get(party=world.company_x)
    r = client.post(
        reverse("meetings:attendance", args=[meeting.pk]),
        {
            "party": [world.env_committee.pk, inv.party_id],
            "name": ["周主任", "王师傅"],
            f"present_{world.env_committee.pk}": "1",
            f"present_{inv.party_id}": "1",
            "other_name": ["业主老李"],
            "other_label": ["1号楼业主代表"],
        },
    )
    assert meeting.attendance.count() == 3
    # Closing without minutes is refused with the message on the page.
    r = client.post(reverse("meetings:transition", args=[meeting.pk, "close"]), follow=True)
    assert "没有会议纪要" in r.content.decode()
    client.post(reverse("meetings:minutes", args=[meeting.pk]), {"minutes": "物业承诺三天内排查管道。"})
    client.post(reverse("meetings:decision", args=[meeting.pk]), {"text": "物业三天内排查"})
    client.post(
        reverse("meetings:action_item", args=[meeting.pk]),
        {
            "description": "排查1号楼管道",
            "responsible_party": world.company_x.pk,
            **post_value("due_at", T0 + timedelta(days=4)),
        },
    )
    assert ActionItem.objects.get().responsible_party_id == world.company_x.pk
    client.post(reverse("meetings:transition", args=[meeting.pk, "close"]))
    meeting.refresh_from_db()
    assert meeting.status == "closed" and meeting.summary_notice_id
    # The responsible party sees the item on its list and its home page block.
    client.force_login(world.handler_x)
    assert "排查1号楼管道" in client.get(reverse("meetings:index")).content.decode()
    assert "排查1号楼管道" in client.get(reverse("portal:home")).content.decode()  # the start page's block
    # A resident reads the public summary.
    client.force_login(world.resident_a)
    body = client.get(reverse("meetings:summary", args=[meeting.pk])).content.decode()
    assert "甲物业" in body and "排查1号楼管道" in body


@pytest.fixture
def held(world, meeting):
    services.attendance_take(
        meeting=meeting,
        actor=world.env_director,
        present=[services.AttendeeIn(name="王师傅", party=world.company_x)],
    )
    services.minutes_write(meeting=meeting, actor=world.env_director, minutes="纪要")
    services.decision_add(meeting=meeting, actor=world.env_director, text="决定一")
    for i in range(3):
        services.action_item_create(
            meeting=meeting,
            actor=world.env_director,
            description=f"任务{i}",
            responsible_party=world.company_x,
            due_at=T0 + timedelta(days=3 + i),
        )
    return meeting


def test_meeting_page_query_count_is_constant(client, world, held, django_assert_max_num_queries):
    client.force_login(world.env_director)
    url = reverse("meetings:detail", args=[held.pk])
    client.get(url)
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200
    for i in range(10):
        services.action_item_create(
            meeting=held,
            actor=world.env_director,
            description=f"更多{i}",
            responsible_party=world.police,
            due_at=T0 + timedelta(days=9),
        )
        services.decision_add(meeting=held, actor=world.env_director, text=f"更多决定{i}")
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200


def test_permissions_of_every_url(client, world, held):
    item = held.action_items.first()
    inv = held.invitations.get(party=world.company_x)
    gets = [
        reverse("meetings:detail", args=[held.pk]),
        reverse("meetings:item", args=[item.pk]),
        reverse("meetings:export", args=[held.pk, "attendance"]),
    ]
    posts = [
        reverse("meetings:invite", args=[held.pk]),
        reverse("meetings:answer", args=[held.pk, inv.pk]),
        reverse("meetings:agenda", args=[held.pk]),
        reverse("meetings:attendance", args=[held.pk]),
        reverse("meetings:minutes", args=[held.pk]),
        reverse("meetings:decision", args=[held.pk]),
        reverse("meetings:action_item", args=[held.pk]),
        reverse("meetings:transition", args=[held.pk, "close"]),
    ]
    for url in gets + posts + [reverse("meetings:index"), reverse("meetings:create")]:
        assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(world.handler_y)  # another company: not invited
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"minutes": "x", "text": "x"}).status_code == 404, url
    assert client.get(reverse("meetings:create")).status_code == 403
    assert client.get(reverse("meetings:summary", args=[held.pk])).status_code == 404  # not closed yet
    client.force_login(world.handler_x)  # invited, not the convener: reads, cannot manage
    assert client.get(gets[0]).status_code == 200
    held.refresh_from_db()
    before = held.minutes
    client.post(reverse("meetings:minutes", args=[held.pk]), {"minutes": "篡改"})
    held.refresh_from_db()
    assert held.minutes == before


def test_exports_are_real_workbooks(client, world, held):
    client.force_login(world.env_director)
    for kind, expect in (("attendance", "王师傅"), ("minutes", "纪要"), ("items", "任务0")):
        r = client.get(reverse("meetings:export", args=[held.pk, kind]))
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
        ws = load_workbook(io.BytesIO(r.content)).active
        assert expect in {str(c.value) for row in ws.iter_rows() for c in row}
    client.force_login(world.handler_x)
    ws = load_workbook(io.BytesIO(client.get(reverse("meetings:export_my_items")).content)).active
    assert ws.max_row == 4


def _token(client, user) -> dict:
    r = client.post(
        "/api/v1/auth/login",
        {"phone": user.phone, "password": "shequ-test-pass"},
        content_type="application/json",
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}


def test_api_meeting_lifecycle(client, world, appeal):
    auth = _token(client, world.env_director)
    r = client.post(
        "/api/v1/meetings",
        {
            "convener_id": world.env_committee.pk,
            "place_id": world.compound_a.pk,
            "topic": "API 协调会",
            "starts_at": (T0 + timedelta(days=1)).isoformat(),
            "ends_at": (T0 + timedelta(days=1, hours=1)).isoformat(),
            "invitee_ids": [world.company_x.pk],
            "appeal_ids": [appeal.pk],
        },
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201, r.content
    mid = r.json()["id"]
    r = client.post(
        f"/api/v1/meetings/{mid}/attendance",
        {"present": [{"name": "王师傅", "party_id": world.company_x.pk}]},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 200 and r.json()["status"] == "held"
    r = client.post(f"/api/v1/meetings/{mid}/close", content_type="application/json", **auth)
    assert r.status_code == 409 and r.json()["error"]["code"] == "minutes_required"
    r = client.post(
        f"/api/v1/meetings/{mid}/action-items",
        {"description": "排查"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 422 and set(r.json()["error"]["fields"]) == {"responsible_party", "due_at"}
    client.post(
        f"/api/v1/meetings/{mid}/minutes", {"minutes": "纪要"}, content_type="application/json", **auth
    )
    r = client.post(
        f"/api/v1/meetings/{mid}/action-items",
        {
            "description": "排查",
            "responsible_party_id": world.company_x.pk,
            "due_at": (T0 + timedelta(days=3)).isoformat(),
        },
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201
    assert (
        client.post(f"/api/v1/meetings/{mid}/close", content_type="application/json", **auth).json()["status"]
        == "closed"
    )
    x = _token(client, world.handler_x)
    items = client.get("/api/v1/action-items", **x).json()["items"]
    assert [i["description"] for i in items] == ["排查"]
    r = client.post(
        f"/api/v1/action-items/{items[0]['id']}/complete",
        {"text": "已完成"},
        content_type="application/json",
        **x,
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert client.get(f"/api/v1/meetings/{mid}", **_token(client, world.handler_y)).status_code == 404
    assert "/api/v1/meetings" in client.get("/api/v1/openapi.json").json()["paths"]
