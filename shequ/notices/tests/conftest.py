from __future__ import annotations

import io

import pytest
from PIL import Image

from shequ.directory import places as dplaces
from shequ.directory.models import PlaceKind


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def other_street(world):
    """A second street with its own community and building: its notices never reach the world's residents."""
    street = dplaces.place_create(kind=PlaceKind.STREET, name="别的街道", parent=world.district)
    community = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="别的社区", parent=street)
    compound = dplaces.place_create(kind=PlaceKind.COMPOUND, name="丙小区", parent=community)
    building = dplaces.place_create(kind=PlaceKind.BUILDING, name="9号楼", parent=compound)
    return street, community, compound, building
