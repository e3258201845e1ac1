"""The verified-reporter rule (issue #9, finding 4; `access.claim_q`): someone who registered claiming a
household files a "claim" — seen by them and the verifying committee only, alerting no party — until
the household verifies them. Staff filings for walk-in callers and patrols are never claims."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from shequ.accounts import services as accounts
from shequ.appeals.access import claim_ids, claim_q
from shequ.appeals.models import Appeal, Status
from shequ.notifications.models import Notification

pytestmark = pytest.mark.django_db

OUTSIDERS = ("resident_a", "resident_a2", "resident_b", "handler_x", "building_leader", "party_secretary")


def _claimant(world, phone="13712345611"):
    return accounts.user_register(
        phone=phone,
        real_name="冒名者",
        password="a-long-pass-99",
        household=world.household_a,
        relation="family",
    )


def _file(client, user, **body):
    client.force_login(user)
    got = client.post(
        "/api/v1/appeals",
        json.dumps({"category": "lift", "text": "电梯坏了", "is_public": True, **body}),
        content_type="application/json",
    )
    assert got.status_code == 201, got.content
    return Appeal.objects.get(pk=got.json()["id"])


def _sees(client, user, appeal) -> dict[str, bool]:
    """What one user sees of the appeal through the API and the pages."""
    client.force_login(user)
    lists = {
        scope: [a["id"] for a in client.get("/api/v1/appeals", {"scope": scope}).json()["items"]]
        for scope in ("mine", "public", "assigned")
    }
    link = f'href="{reverse("appeals:detail", args=[appeal.pk])}"'
    return {
        "api_detail": client.get(f"/api/v1/appeals/{appeal.pk}").status_code == 200,
        "api_lists": any(appeal.pk in ids for ids in lists.values()),
        "page_detail": client.get(reverse("appeals:detail", args=[appeal.pk])).status_code == 200,
        "page_lists": any(
            link in client.get(reverse(name)).content.decode() for name in ("appeals:mine", "appeals:public")
        ),
    }


def test_a_claim_is_seen_by_the_claimant_and_the_committee_only(
    client, world, django_capture_on_commit_callbacks
):
    claimant = _claimant(world)
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        appeal = _file(client, claimant, place_id=world.household_a.pk, urgency="emergency")
    assert Notification.objects.count() == before  # no party alerted, no SMS
    # In the verifying committee's dispatch queue, not with the company the rules name.
    assert appeal.status == Status.SUBMITTED and appeal.responsible_party_id == appeal.dispatcher_id
    assert claim_ids([appeal]) == {appeal.pk} and Appeal.objects.filter(claim_q()).get() == appeal
    assert all(_sees(client, claimant, appeal).values())
    committee = _sees(client, world.rc_staff, appeal)
    assert committee["api_detail"] and committee["page_detail"] and committee["api_lists"]
    for who in OUTSIDERS:
        assert not any(_sees(client, getattr(world, who), appeal).values()), who
    # Verified: the household's appeal like any other (the committee now dispatches it).
    accounts.residency_verify(residency=claimant.residencies.get(), actor=world.rc_staff)
    assert claim_ids([appeal]) == set() and not Appeal.objects.filter(claim_q()).exists()
    seen = _sees(client, world.resident_a, appeal)
    assert seen["api_detail"] and seen["api_lists"] and seen["page_lists"]
    assert _sees(client, world.resident_b, appeal)["api_lists"]  # public in the community


def test_a_rejected_claimants_appeal_stays_theirs(client, world):
    claimant = _claimant(world, "13712345612")
    appeal = _file(client, claimant)  # about their (claimed) building: the household is still theirs
    assert appeal.household_id == world.household_a.pk
    accounts.residency_reject(residency=claimant.residencies.get(), actor=world.rc_staff, reason="不是住户")
    assert claim_ids([appeal]) == {appeal.pk}
    assert not _sees(client, world.resident_a, appeal)["api_lists"]
    assert not _sees(client, world.resident_b, appeal)["api_lists"]


def test_staff_filing_for_a_walk_in_claimant_is_no_claim_and_alerts(
    client, world, django_capture_on_commit_callbacks
):
    claimant = _claimant(world, "13712345613")  # pending, as a walk-in caller often is
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        appeal = _file(
            client,
            world.handler_x,
            source="staff",
            reporter_id=claimant.pk,
            place_id=world.household_a.pk,
            category="water",
        )
    assert appeal.filed_by_id == world.handler_x.pk and appeal.reporter_id == claimant.pk
    assert claim_ids([appeal]) == set() and not Appeal.objects.filter(claim_q()).exists()
    assert Notification.objects.count() > before  # the responsible party hears of it
    assert _sees(client, world.resident_a, appeal)["api_lists"]  # the household's
    assert _sees(client, world.resident_b, appeal)["api_lists"]  # public in the community


def test_a_patrol_filing_is_no_claim_and_alerts(client, world, django_capture_on_commit_callbacks):
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        appeal = _file(client, world.handler_x, source="patrol", spot_id=world.lift_a1.pk)
    assert claim_ids([appeal]) == set()
    assert appeal.status != Status.SUBMITTED or appeal.responsible_party_id == appeal.dispatcher_id
    assert Notification.objects.count() > before
    assert _sees(client, world.resident_b, appeal)["api_lists"]


def test_a_claim_is_not_offered_for_a_meeting_agenda(client, world):
    from shequ.meetings.options import appeal_choices

    claim = _file(client, _claimant(world, "13712345614"))
    verified = _file(client, world.resident_a)
    offered = appeal_choices(place=world.compound_a)
    assert verified in offered and claim not in offered
