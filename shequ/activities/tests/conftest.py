from __future__ import annotations

from datetime import timedelta

import pytest

from shequ.activities import services
from shequ.core import clock


@pytest.fixture
def activity(world):
    start = clock.now() + timedelta(days=2)
    return services.activity_create(
        actor=world.rc_staff,
        organiser=world.rc,
        place=world.community,
        kind="culture",
        title="中秋联欢会",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=2,
        location="红巷生活广场",
    )


@pytest.fixture
def venue(world):
    return services.venue_create(
        actor=world.rc_staff, owner=world.rc, place=world.community, name="红巷生活广场", capacity=200
    )


@pytest.fixture
def slot(world, venue):
    day = (clock.now() + timedelta(days=3)).date()
    return services.slots_create(actor=world.rc_staff, venue=venue, day=day, hours=[(9, 11), (14, 16)])[0]
