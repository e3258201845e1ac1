"""Fixtures for appeals tests: uploaded photos go to a temporary MEDIA_ROOT."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _appeals_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_time_config():
    from shequ.appeals import calendar

    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture
def file_appeal(world):
    """File an appeal through the service: `file_appeal(category="lift", place=world.household_a, ...)`."""
    from shequ.appeals import services
    from shequ.appeals.models import Category

    def make(
        *,
        reporter=None,
        category: str = "lift",
        place=None,
        kind: str = "help",
        text: str = "1号楼电梯停了",
        **kwargs,
    ):
        return services.appeal_create(
            reporter=reporter or world.resident_a,
            kind=kind,
            category=Category.objects.get(code=category),
            place=place or world.household_a,
            text=text,
            **kwargs,
        )

    return make
