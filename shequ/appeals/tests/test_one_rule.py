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
