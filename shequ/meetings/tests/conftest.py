from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from shequ.appeals import services as appeal_services
from shequ.appeals.models import Category
from shequ.core import clock
from shequ.meetings import services

T0 = timezone.make_aware(datetime(2026, 12, 1, 9, 0))


@pytest.fixture
def appeal(world):
    with clock.frozen(T0):
        return appeal_services.appeal_create(
            reporter=world.resident_a,
            kind="complaint",
            category=Category.objects.get(code="heating"),
            place=world.household_a,
            text="暖气不热，屋里只有16度",
        )


@pytest.fixture
def meeting(world, appeal, django_capture_on_commit_callbacks):
    with clock.frozen(T0), django_capture_on_commit_callbacks(execute=True):
        return services.meeting_create(
            actor=world.env_director,
            convener=world.env_committee,
            place=world.compound_a,
            topic="暖气不热协调会",
            starts_at=T0 + timedelta(days=1),
            ends_at=T0 + timedelta(days=1, hours=2),
            location="社区会议室",
            invitees=[world.company_x, world.police, world.owners_committee],
            appeals=[appeal],
        )
