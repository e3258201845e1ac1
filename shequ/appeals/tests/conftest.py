"""Fixtures for appeals tests: uploaded photos go to a temporary MEDIA_ROOT."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _appeals_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
