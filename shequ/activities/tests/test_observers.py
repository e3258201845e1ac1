"""Observers read and never write (issue #9, item 5): no sign-up, no booking, through page and API."""

from __future__ import annotations

import json

import pytest

from shequ.activities import services
from shequ.activities.models import Booking, Signup
from shequ.core.errors import Forbidden

pytestmark = pytest.mark.django_db


def test_observer_may_not_sign_up(client, world, activity):
    with pytest.raises(Forbidden):
        services.signup_create(user=world.observer, activity=activity)
    client.force_login(world.observer)
    got = client.post(f"/api/v1/activities/{activity.pk}/signup", "{}", content_type="application/json")
    assert got.status_code == 403
    assert not Signup.objects.filter(user=world.observer).exists()


def test_observer_may_not_book_a_venue(client, world, slot):
    with pytest.raises(Forbidden):
        services.booking_create(user=world.observer, slot=slot, purpose="开会")
    client.force_login(world.observer)
    body = json.dumps({"purpose": "开会", "people": 3})
    got = client.post(f"/api/v1/venues/slots/{slot.pk}/bookings", body, content_type="application/json")
    assert got.status_code == 403
    assert not Booking.objects.filter(user=world.observer).exists()


def test_residents_still_sign_up_and_book(world, activity, slot):
    assert services.signup_create(user=world.resident_a, activity=activity).pk
    assert services.booking_create(user=world.resident_a, slot=slot, purpose="排练").pk
