"""Street-scoped choices: the helper company, the whistle's departments and 物业之窗 offer the appeal's
(or the resident's) own street first, nearest first; another street only behind "其他街道" where the rule
allows it — one selector (`directory.selectors.parties_nearest`) for page and API."""

from __future__ import annotations

from datetime import date

import pytest

from shequ.core.errors import Invalid
from shequ.directory import parties as dparties
from shequ.directory import places as dplaces
from shequ.directory.models import PartyKind, PlaceKind
from shequ.directory.selectors import parties_nearest
from shequ.supervision import services


@pytest.fixture
def far(world):
    """A second street with a company (named to sort first) and its own police station."""
    other_street = dplaces.place_create(kind=PlaceKind.STREET, name="曙光街道", parent=world.district)
    other_comm = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="上河村社区", parent=other_street)
    other_compound = dplaces.place_create(kind=PlaceKind.COMPOUND, name="上河村", parent=other_comm)
    company = dparties.party_create(
        kind=PartyKind.PROPERTY_COMPANY, name="阿曙光物业", code="t-far", home=other_comm
    )
    dparties.contract_create(company=company, places=[other_compound], starts_on=date(2020, 1, 1))
    police = dparties.party_create(
        kind=PartyKind.POLICE_STATION,
        name="阿曙光派出所",
        code="t-far-police",
        home=other_street,
        places=[other_comm],
    )
    # a company of the own street but another community: after the same community's, before other streets
    own_comm2 = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="邻社区", parent=world.street)
    own_compound2 = dplaces.place_create(kind=PlaceKind.COMPOUND, name="邻小区", parent=own_comm2)
    neighbour = dparties.party_create(
        kind=PartyKind.PROPERTY_COMPANY, name="丙物业", code="t-z", home=own_comm2
    )
    dparties.contract_create(company=neighbour, places=[own_compound2], starts_on=date(2020, 1, 1))
    return {"company": company, "police": police, "neighbour": neighbour}


@pytest.fixture
def appeal(file_appeal):
    return file_appeal(urgency="normal")


def test_selector_orders_nearest_first_and_parts_other_streets(world, far, django_assert_max_num_queries):
    parties = [far["company"], far["neighbour"], world.company_y, world.company_x]
    with django_assert_max_num_queries(3):
        nearest = parties_nearest(place=world.household_a, parties=parties)
    # 甲物业 covers the household's compound, 乙物业 the same community, 丙物业 the same street
    assert nearest.near == [world.company_x, world.company_y, far["neighbour"]]
    assert nearest.others == [far["company"]]


def test_helper_choices_own_street_first_other_street_apart(world, far, appeal):
    choices = services.helper_company_choices(appeal=appeal)
    assert choices.near == [world.company_y, far["neighbour"]]  # the responsible 甲物业 is left out
    assert choices.others == [far["company"]]


def test_whistle_never_offers_another_streets_police(world, far, appeal):
    choices = services.whistle_department_choices(appeal=appeal)
    assert world.police in choices.near and world.dept_housing in choices.near  # district covers all
    assert far["police"] not in choices.all and choices.others == []
    with pytest.raises(Invalid) as err:
        services.whistle_blow(
            appeal=appeal,
            actor=world.party_secretary,
            kind="routine",
            departments=[far["police"].pk],
            reason="x",
        )
    assert err.value.code == "department_other_street"


def test_pages_and_api_use_the_same_order(client, world, far, appeal):
    client.force_login(world.env_director)
    page = client.get(f"/supervision/appeals/{appeal.pk}/helper").content.decode()
    assert page.index("乙物业") < page.index("丙物业") < page.index("其他街道") < page.index("阿曙光物业")
    api = client.get(f"/api/v1/appeals/{appeal.pk}/helper/choices").json()
    assert [c["name"] for c in api["near"]] == ["乙物业", "丙物业"]
    assert [c["name"] for c in api["others"]] == ["阿曙光物业"]

    client.force_login(world.party_secretary)
    page = client.get(f"/supervision/appeals/{appeal.pk}/whistle").content.decode()
    assert "测试派出所" in page and "阿曙光派出所" not in page
    api = client.get(f"/api/v1/appeals/{appeal.pk}/whistle/choices").json()
    assert "阿曙光派出所" not in [c["name"] for c in api["near"] + api["others"]]
    # the choices are refused to those who may not act
    client.force_login(world.resident_a)
    assert client.get(f"/api/v1/appeals/{appeal.pk}/helper/choices").status_code == 403


def test_property_window_lists_own_street_first(client, world, far):
    client.force_login(world.resident_a)
    page = client.get("/notices/property/?all=1").content.decode()
    assert page.index("甲物业") < page.index("乙物业") < page.index("丙物业") < page.index("其他街道")
    assert page.index("其他街道") < page.index("阿曙光物业")
