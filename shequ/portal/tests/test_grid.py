"""The grid (网格) on 谁在管我家 (issue #14): a household in a grid sees its grid's name and its own grid
worker — not the worker of another grid; a community without grids looks as before."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.conftest import make_user
from shequ.directory import parties as dparties
from shequ.directory import places as dplaces
from shequ.directory.models import PlaceKind, Role

pytestmark = pytest.mark.django_db


def test_household_in_a_grid_sees_the_grid_and_its_own_grid_worker(client, world):
    grid_1 = dplaces.place_create(kind=PlaceKind.GRID, name="第一网格", parent=world.community)
    grid_2 = dplaces.place_create(kind=PlaceKind.GRID, name="第二网格", parent=world.community)
    dplaces.place_update(place=world.compound_a, parent=grid_1)
    dplaces.place_update(place=world.compound_b, parent=grid_2)
    for grid, name, phone in ((grid_1, "网格员一", "13922220001"), (grid_2, "网格员二", "13922220002")):
        dparties.membership_create(
            user=make_user(phone, name),
            party=world.rc,
            role=Role.GRID_WORKER,
            places=[grid],
            public_phone=phone,
        )
    client.force_login(world.resident_a)
    html = client.get(reverse("portal:who")).content.decode()
    card = html[html.index('id="grid_worker"') :]
    card = card[: card.index("</li>")]
    assert "第一网格" in card and "网格员一" in card and "tel:13922220001" in card
    assert "第二网格" not in html and "网格员二" not in html


def test_community_without_grids_shows_no_grid_name(client, world):
    client.force_login(world.resident_a)
    html = client.get(reverse("portal:who")).content.decode()
    assert "网格员" in html and "第一网格" not in html
