"""50 parallel booking requests for one slot, each thread with its own database connection: exactly one wins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client

from shequ.accounts.models import Residency, User
from shequ.activities import services
from shequ.activities.models import Booking
from shequ.api.auth import issue_token
from shequ.core import clock

THREADS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_requests_yield_one_booking(world):
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrent booking needs PostgreSQL (SQLite serialises writers); run with DATABASE_URL=postgres://…"
        )
    venue = services.venue_create(actor=world.rc_staff, owner=world.rc, place=world.community, name="活动室")
    slot = services.slots_create(
        actor=world.rc_staff, venue=venue, day=(clock.now() + timedelta(days=2)).date(), hours=[(9, 11)]
    )[0]
    users = User.objects.bulk_create(
        [User(phone=f"1370000{i:04d}", real_name=f"居民{i}", password="!") for i in range(THREADS)]
    )
    Residency.objects.bulk_create(
        [
            Residency(
                user=u, household=world.household_b, relation="family", status=Residency.Status.VERIFIED
            )
            for u in users
        ]
    )
    tokens = [issue_token(user=u) for u in users]
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt(token: str) -> None:
        try:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
            barrier.wait(timeout=30)
            r = client.post(
                f"/api/v1/venues/slots/{slot.pk}/bookings",
                {"purpose": "排练"},
                content_type="application/json",
            )
            with lock:
                statuses.append(r.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(set(statuses)) == [201, 409], statuses
    assert statuses.count(201) == 1 and statuses.count(409) == THREADS - 1
    assert Booking.objects.filter(slot=slot, status__in=["pending", "approved"]).count() == 1
