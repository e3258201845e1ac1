"""Rules that the pages and the API used to hold twice, and that disagreed: each is now written once
(`shequ.appeals.access`, `services`, `routing`) and tested through both doors."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from shequ.appeals import services
from shequ.appeals.models import Appeal, AppealPhoto, EventKind, PhotoStage
from shequ.appeals.tests.test_api import jpeg

pytestmark = pytest.mark.django_db


def api_post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _note_with_photo(world, appeal: Appeal) -> AppealPhoto:
    """A photo that sits on an internal note (written before the API refused photos on notes)."""
    services.appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    appeal = services.appeal_transition(
        appeal=appeal, actor=world.handler_x, action="note", text="内部：门锁坏了"
    )
    note = appeal.events.get(kind=EventKind.NOTE)
    (photo,) = services.appeal_photos_add(
        appeal=appeal, user=world.handler_x, uploads=[jpeg()], stage=PhotoStage.PROGRESS, event=note
    )
    return photo


def test_photo_of_an_internal_note_is_hidden_from_the_resident_on_page_and_api(client, world, file_appeal):
    appeal = file_appeal()
    photo = _note_with_photo(world, appeal)
    client.force_login(world.resident_a)
    detail = client.get(f"/api/v1/appeals/{appeal.pk}").json()
    assert photo.pk not in [p["id"] for p in detail["photos"]]
    assert client.get(f"/api/v1/appeals/{appeal.pk}/photos/{photo.pk}").status_code == 404
    assert client.get(reverse("appeals:photo", args=[appeal.pk, photo.pk, "full"])).status_code == 404
    # The staff who wrote the note see it through both doors.
    client.force_login(world.handler_x)
    detail = client.get(f"/api/v1/appeals/{appeal.pk}").json()
    assert photo.pk in [p["id"] for p in detail["photos"]]
    assert client.get(f"/api/v1/appeals/{appeal.pk}/photos/{photo.pk}").status_code == 200
    assert client.get(reverse("appeals:photo", args=[appeal.pk, photo.pk, "full"])).status_code == 200


def test_api_refuses_photos_on_an_internal_note(client, world, file_appeal):
    appeal = file_appeal()
    services.appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    client.force_login(world.handler_x)
    got = client.post(f"/api/v1/appeals/{appeal.pk}/note", {"text": "内部", "photos": [jpeg()]})
    assert got.status_code == 422 and got.json()["error"]["code"] == "photos_not_allowed"
    assert not AppealPhoto.objects.filter(appeal=appeal).exists()


def test_building_leader_does_not_see_another_buildings_private_appeal(client, world, file_appeal):
    private = file_appeal(reporter=world.resident_a2, place=world.household_a2, is_public=False)
    client.force_login(world.building_leader)
    assert client.get(reverse("appeals:detail", args=[private.pk])).status_code == 404
    assert client.get(f"/api/v1/appeals/{private.pk}").status_code == 404
    for action in ("close", "merge", "dispatch", "escalate", "transfer"):
        assert api_post(client, f"/api/v1/appeals/{private.pk}/{action}", {"reason": "x"}).status_code == 404
        assert (
            client.post(reverse("appeals:act", args=[private.pk, action]), {"reason": "x"}).status_code == 404
        )


def test_building_leader_on_a_public_appeal_reads_masked_and_may_not_act(client, world, file_appeal):
    appeal = file_appeal(reporter=world.resident_a2, place=world.household_a2)
    client.force_login(world.building_leader)
    detail = client.get(f"/api/v1/appeals/{appeal.pk}")
    if detail.status_code == 200:  # a resident of the community reads it as any neighbour does
        body = detail.json()
        assert body["actions"] == []
        assert body["reporter"]["phone"] != world.resident_a2.phone
    for action in ("close", "merge", "dispatch", "escalate", "transfer", "note"):
        got = api_post(client, f"/api/v1/appeals/{appeal.pk}/{action}", {"reason": "x", "text": "x"})
        assert got.status_code in (403, 404), action
        page = client.post(reverse("appeals:act", args=[appeal.pk, action]), {"reason": "x", "text": "x"})
        assert page.status_code in (403, 404), action
    assert Appeal.objects.get(pk=appeal.pk).status == appeal.status


def test_consultation_is_transferred_only_to_the_same_kind_of_service(client, world, file_appeal):
    consult = file_appeal(kind="consult", category="health", text="血压偏高怎么办")
    assert consult.responsible_party.kind == "family_doctor_team"
    client.force_login(world.doctor)
    got = api_post(
        client,
        f"/api/v1/appeals/{consult.pk}/transfer",
        {"to_party_id": world.company_x.pk, "reason": "转物业"},
    )
    assert got.status_code == 422 and got.json()["error"]["code"] == "consultation_transfer_kind"
    page = client.post(
        reverse("appeals:act", args=[consult.pk, "transfer"]),
        {"to_party": world.company_x.pk, "reason": "转物业"},
    )
    assert page.status_code in (302, 422)
    assert Appeal.objects.get(pk=consult.pk).responsible_party_id == consult.responsible_party_id


def test_escalation_tells_each_party_once_when_the_committee_is_responsible(world, file_appeal):
    appeal = file_appeal()
    appeal = Appeal.objects.get(pk=appeal.pk)
    if appeal.responsible_party_id != world.rc.pk:
        appeal = services.appeal_transition(
            appeal=appeal, actor=world.rc_staff, action="redispatch", to_party=world.rc, reason="自办"
        )
    first = services.appeal_transition(appeal=appeal, actor=None, action="escalate", reason="超时")
    second = services.appeal_transition(appeal=first, actor=None, action="escalate", reason="超时")
    targets = list(
        second.events.filter(kind=EventKind.ESCALATED).order_by("id").values_list("data__to_party", flat=True)
    )
    assert len(targets) == len(set(targets)) == 2


def test_observer_may_not_follow(client, world, file_appeal):
    appeal = file_appeal()
    client.force_login(world.observer)
    if client.get(f"/api/v1/appeals/{appeal.pk}").status_code == 200:
        assert api_post(client, f"/api/v1/appeals/{appeal.pk}/follow").status_code == 403
        assert client.post(reverse("appeals:follow", args=[appeal.pk]), {"follow": "1"}).status_code == 403
    assert not appeal.followers.filter(pk=world.observer.pk).exists()


# ---------------------------------------------------------------- filing for a caller (filing.caller_for)


def _file_page(client, world, token: str, **fields):
    body = {
        "source": "staff",
        "category": "water",
        "place": "household",
        "urgency": "normal",
        "kind": "help",
        "text": "来电：厨房没水",
        "token": token,
        **fields,
    }
    return client.post(reverse("appeals:file"), body)


def test_staff_file_for_the_same_people_on_page_and_api(client, world):
    """A resident of the staff's compounds becomes the reporter through both doors; a resident of a
    compound they do not serve is treated exactly like an unknown number (nothing tells them apart)."""
    client.force_login(world.handler_x)
    assert _file_page(client, world, "p1", resident_phone=world.resident_a.phone).status_code == 302
    api = api_post(
        client,
        "/api/v1/appeals",
        {"category": "water", "text": "来电：厨房没水", "reporter_phone": world.resident_a.phone},
    )
    assert api.status_code == 201, api.content
    by_page, by_api = Appeal.objects.order_by("id")
    for appeal in (by_page, by_api):
        assert (appeal.reporter_id, appeal.filed_by_id, appeal.source) == (
            world.resident_a.pk,
            world.handler_x.pk,
            "staff",
        )
        assert appeal.place_id == world.household_a.pk
    # Resident B lives in compound B (company Y's): company X's handler gets the same answer for B's
    # registered phone as for a number nobody has — through both doors.
    answers = []
    for phone in (world.resident_b.phone, "13012345678"):
        got = api_post(client, "/api/v1/appeals", {"category": "water", "text": "x", "reporter_phone": phone})
        answers.append((got.status_code, got.json()["error"]["code"]))
        page = client.post(
            reverse("appeals:file"),
            {
                "source": "staff",
                "category": "water",
                "place": "household",
                "urgency": "normal",
                "kind": "help",
                "text": "x",
                "token": f"t{phone}",
                "resident_phone": phone,
            },
        )
        answers.append((page.status_code, "page"))
    assert answers[0] == answers[2] == (422, "place_required")
    assert answers[1] == answers[3] == (422, "page")
    # An id outside the area is "no such resident", like an id that does not exist.
    for user_id in (world.resident_b.pk, 999_999):
        got = api_post(client, "/api/v1/appeals", {"category": "water", "text": "x", "reporter_id": user_id})
        assert got.status_code == 422 and got.json()["error"]["code"] == "reporter_invalid"


def test_caller_without_account_keeps_a_note_on_page_and_api(client, world):
    client.force_login(world.handler_x)
    page = _file_page(
        client,
        world,
        "n1",
        resident_name="老赵",
        resident_phone="13700000000",
        household=world.household_a2.pk,
    )
    assert page.status_code == 302
    api = api_post(
        client,
        "/api/v1/appeals",
        {
            "category": "water",
            "text": "来电：厨房没水",
            "reporter_phone": "13700000000",
            "reporter_name": "老赵",
            "place_id": world.household_a2.pk,
        },
    )
    assert api.status_code == 201, api.content
    for appeal in Appeal.objects.order_by("id"):
        assert appeal.reporter_id == world.handler_x.pk and appeal.place_id == world.household_a2.pk
        note = appeal.events.get(kind=EventKind.NOTE)
        assert note.is_public is False and "老赵" in note.text and "13700000000" in note.text


def test_a_resident_may_not_file_for_someone_else_over_the_api(client, world):
    client.force_login(world.resident_a)
    got = api_post(
        client,
        "/api/v1/appeals",
        {"category": "water", "text": "x", "reporter_phone": world.resident_a2.phone},
    )
    assert got.status_code == 403 and got.json()["error"]["code"] == "not_staff"


# ---------------------------------------------------------------- feedback (services.appeal_feedback)


def _resolved(world, file_appeal):
    appeal = file_appeal()
    for action, data in (("accept", {}), ("resolve", {"text": "修好了"})):
        appeal = services.appeal_transition(appeal=appeal, actor=world.handler_x, action=action, **data)
    return appeal


def test_feedback_writes_confirmed_and_rated_on_page_and_api(client, world, file_appeal):
    by_page, by_api = _resolved(world, file_appeal), _resolved(world, file_appeal)
    client.force_login(world.resident_a)
    got = client.post(
        reverse("appeals:act", args=[by_page.pk, "feedback"]), {"solved": "yes", "rating": "satisfied"}
    )
    assert got.status_code == 302
    got = api_post(client, f"/api/v1/appeals/{by_api.pk}/rate", {"solved": True, "rating": "satisfied"})
    assert got.status_code == 200, got.content
    for appeal in (by_page, by_api):
        appeal.refresh_from_db()
        kinds = list(appeal.events.values_list("kind", flat=True))
        assert kinds[-2:] == [EventKind.CONFIRMED, EventKind.RATED]
        assert (appeal.status, appeal.solved, appeal.rating) == ("closed", True, "satisfied")


def test_feedback_not_solved_reopens_on_page_and_api(client, world, file_appeal):
    by_page, by_api = _resolved(world, file_appeal), _resolved(world, file_appeal)
    client.force_login(world.resident_a)
    client.post(
        reverse("appeals:act", args=[by_page.pk, "feedback"]), {"solved": "no", "rating": "unsatisfied"}
    )
    api_post(client, f"/api/v1/appeals/{by_api.pk}/rate", {"solved": False, "rating": "unsatisfied"})
    for appeal in (by_page, by_api):
        appeal.refresh_from_db()
        assert appeal.status == "in_progress" and appeal.solved is False
        assert EventKind.CONFIRMED not in set(appeal.events.values_list("kind", flat=True))
    got = api_post(client, f"/api/v1/appeals/{by_api.pk}/rate", {"rating": "satisfied"})
    assert got.status_code == 422


# ---------------------------------------------------------------- the preview (filing.filing_plan)


def test_preview_shows_exactly_the_deadlines_the_appeal_gets(client, world):
    """A category-specific limit (a DeadlinePolicy for lifts) is what the preview promises and what the
    filed appeal carries."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from shequ.appeals import calendar
    from shequ.appeals.models import Category, DeadlinePolicy
    from shequ.core import clock

    lift = Category.objects.get(code="lift")
    DeadlinePolicy.objects.create(category=lift, accept_limit=45, accept_unit="minutes", resolve_limit=6)
    calendar.clear_cache()
    client.force_login(world.resident_a)
    params = {"category": "lift", "place": f"s{world.lift_a1.pk}", "urgency": "normal", "step": "3"}
    with clock.frozen(datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        html = client.get(reverse("appeals:report"), params).content.decode()
        assert "45分钟内签收，6小时内办结" in html
        got = api_post(
            client, "/api/v1/appeals", {"category": "lift", "text": "电梯停了", "spot_id": world.lift_a1.pk}
        )
        appeal = Appeal.objects.get(pk=got.json()["id"])
        assert (appeal.accept_due_at - appeal.created_at).total_seconds() == 45 * 60
        assert (appeal.resolve_due_at - appeal.created_at).total_seconds() == 6 * 3600
    calendar.clear_cache()


# ---------------------------------------------------------------- the queue (selectors.appeal_list)


def test_queue_search_and_due_order_are_the_same_on_page_and_api(client, world, file_appeal):
    normal = file_appeal(text="水管漏水 normal")
    urgent = file_appeal(text="水管爆裂 urgent", urgency="emergency")  # falls due first
    other = file_appeal(text="楼道灯不亮")
    client.force_login(world.handler_x)
    api = client.get("/api/v1/appeals", {"scope": "assigned", "status": "open", "q": "水管"}).json()
    assert [i["id"] for i in api["items"]] == [urgent.pk, normal.pk]
    page = client.get(reverse("appeals:workbench"), {"q": "水管"}).content.decode()
    assert page.index(urgent.number) < page.index(normal.number) and other.number not in page
    api = client.get("/api/v1/appeals", {"scope": "assigned", "q": other.number}).json()
    assert [i["id"] for i in api["items"]] == [other.pk]
    page = client.get(reverse("appeals:workbench"), {"q": other.number}).content.decode()
    assert other.number in page and normal.number not in page
