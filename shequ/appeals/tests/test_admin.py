"""Admin: categories and routing rules are editable; appeals, events and photos are read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.accounts.models import User
from shequ.appeals.models import Category, RoutingRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    admin = User.objects.create_superuser(phone="13700000000", password="shequ-admin-pass")
    client.force_login(admin)
    return client


def test_configuration_is_editable(admin_client, world, file_appeal):
    file_appeal()
    for name in ("category", "routingrule", "appeal", "appealevent", "appealphoto"):
        assert admin_client.get(reverse(f"admin:appeals_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:appeals_routingrule_add")).status_code == 200
    lift = Category.objects.get(code="lift")
    r = admin_client.post(
        reverse("admin:appeals_routingrule_add"),
        {
            "category": lift.pk,
            "place": world.compound_a.pk,
            "party_kind": "",
            "party": world.mutual_aid.pk,
            "priority": 10,
            "is_active": "on",
            "note": "试点",
        },
    )
    assert r.status_code == 302, r.content[:2000]
    assert RoutingRule.objects.filter(note="试点", party=world.mutual_aid).exists()
    assert file_appeal().responsible_party == world.mutual_aid


def test_records_are_read_only(admin_client, world, file_appeal):
    appeal = file_appeal()
    event = appeal.events.first()
    assert admin_client.get(reverse("admin:appeals_appeal_add")).status_code == 403
    assert admin_client.get(reverse("admin:appeals_appealevent_add")).status_code == 403
    page = admin_client.get(reverse("admin:appeals_appealevent_change", args=[event.pk]))
    assert page.status_code == 200 and b'name="text"' not in page.content
    r = admin_client.post(reverse("admin:appeals_appealevent_change", args=[event.pk]), {"text": "篡改"})
    assert r.status_code == 403
    assert (
        admin_client.post(
            reverse("admin:appeals_appeal_delete", args=[appeal.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    event.refresh_from_db()
    assert event.text == ""


def test_admin_needs_staff(client, world):
    client.force_login(world.rc_staff)
    r = client.get(reverse("admin:appeals_category_changelist"))
    assert r.status_code == 302
