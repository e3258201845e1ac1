"""Directory services: the place tree, ancestor columns, contracts, registrations and who serves what."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from shequ.core import clock
from shequ.core.errors import Conflict, Invalid
from shequ.directory import parties as dparties
from shequ.directory import places as dplaces
from shequ.directory import selectors
from shequ.directory.models import PartyKind, Place, PlaceKind, ServiceContract, Spot

P = PlaceKind


def test_only_a_district_may_be_a_root(db):
    district = dplaces.place_create(kind=P.DISTRICT, name="某区", parent=None)
    assert district.district_id == district.pk
    with pytest.raises(Invalid) as err:
        dplaces.place_create(kind=P.COMMUNITY, name="孤儿社区", parent=None)
    assert err.value.code == "place_parent_required"


def test_a_child_must_be_deeper_than_its_parent(world):
    with pytest.raises(Invalid) as err:
        dplaces.place_create(kind=P.BUILDING, name="9号楼", parent=world.household_a)
    assert err.value.code == "place_parent_invalid"
    assert "楼栋" in err.value.message_zh
    with pytest.raises(Invalid):
        dplaces.place_create(kind=P.STREET, name="街道", parent=world.community)
    # grids are optional: a compound may sit directly under a community or under a grid
    grid = dplaces.place_create(kind=P.GRID, name="一网格", parent=world.community)
    compound = dplaces.place_create(kind=P.COMPOUND, name="丙小区", parent=grid)
    assert compound.grid_id == grid.pk and compound.community_id == world.community.pk


def test_names_are_unique_under_one_parent(world):
    with pytest.raises(Conflict):
        dplaces.place_create(kind=P.BUILDING, name="1号楼", parent=world.compound_a)
    with pytest.raises(Invalid):
        dplaces.place_create(kind=P.BUILDING, name="  ", parent=world.compound_a)


def test_household_area_must_be_positive(world):
    unit = world.household_a.parent
    with pytest.raises(Invalid):
        dplaces.place_create(kind=P.HOUSEHOLD, name="999", parent=unit, floor_area=Decimal("0"))


def test_ancestor_columns_on_every_level(world):
    hh = world.household_a
    assert (hh.district_id, hh.street_id, hh.community_id) == (
        world.district.pk,
        world.street.pk,
        world.community.pk,
    )
    assert (hh.compound_id, hh.building_id, hh.unit_id) == (
        world.compound_a.pk,
        world.building_a1.pk,
        hh.parent_id,
    )
    assert hh.full_name() == "测试社区 甲小区 1号楼 1单元 101"
    bulk = dplaces.places_bulk_create(
        parent=hh.parent, kind=P.HOUSEHOLD, rows=[{"name": "102", "floor_area": 60}]
    )
    assert bulk[0].unit_id == hh.parent_id and bulk[0].compound_id == world.compound_a.pk
    units = dplaces.places_bulk_create(parent=world.building_a2, kind=P.UNIT, rows=[{"name": "2单元"}])
    units[0].refresh_from_db()
    assert units[0].unit_id == units[0].pk and units[0].building_id == world.building_a2.pk


def test_moving_a_building_moves_its_subtree_and_spots(world):
    dplaces.place_update(place=world.building_a1, parent=world.compound_b, name="3号楼")
    hh = Place.objects.get(pk=world.household_a.pk)
    assert hh.compound_id == world.compound_b.pk and hh.building_id == world.building_a1.pk
    assert Spot.objects.get(pk=world.lift_a1.pk).compound_id == world.compound_b.pk
    assert selectors.property_company_for(place=hh) == world.company_y
    with pytest.raises(Invalid):
        dplaces.place_update(place=world.building_a2, parent=world.household_b)
    with pytest.raises(Conflict):
        dplaces.place_update(place=world.building_a2, parent=world.compound_b, name="1号楼")


def test_place_update_of_simple_fields(world):
    dplaces.place_update(place=world.household_a, floor_area=Decimal("90.10"), floor=1, code="A-101")
    world.household_a.refresh_from_db()
    assert world.household_a.floor_area == Decimal("90.10") and world.household_a.code == "A-101"
    with pytest.raises(Invalid):
        dplaces.place_update(place=world.household_a, floor_area=Decimal("-1"))


def test_spot_update_follows_its_place(world):
    spot = dplaces.spot_update(spot=world.lift_a1, place=world.building_b1, install_year=2001)
    spot.refresh_from_db()
    assert (spot.compound_id, spot.install_year) == (world.compound_b.pk, 2001)


def test_contract_validation(world):
    with pytest.raises(Invalid) as err:
        dparties.contract_create(company=world.rc, places=[world.compound_a], starts_on=date(2024, 1, 1))
    assert err.value.code == "contract_company_invalid"
    with pytest.raises(Invalid) as err:
        dparties.contract_create(
            company=world.company_x, places=[world.household_a], starts_on=date(2024, 1, 1)
        )
    assert err.value.code == "contract_places_invalid"
    with pytest.raises(Invalid):
        dparties.contract_create(company=world.company_x, places=[], starts_on=date(2024, 1, 1))
    with pytest.raises(Invalid) as err:
        dparties.contract_create(
            company=world.company_x,
            places=[world.compound_a],
            starts_on=date(2024, 1, 1),
            ends_on=date(2023, 1, 1),
        )
    assert err.value.code == "contract_period_invalid"


def test_a_building_contract_beats_the_compound_contract(world):
    # company Y takes over building A2 only; company X keeps the rest of compound A
    dparties.contract_create(company=world.company_y, places=[world.building_a2], starts_on=date(2021, 1, 1))
    assert selectors.property_company_for(place=world.household_a2) == world.company_y
    assert selectors.property_company_for(place=world.household_a) == world.company_x
    assert set(selectors.property_companies_in(place=world.compound_a)) == {world.company_x, world.company_y}
    assert set(selectors.property_companies_in(place=world.community)) == {world.company_x, world.company_y}
    assert world.building_a2.pk in selectors.party_place_ids(party=world.company_y)


def test_ended_and_future_contracts_do_not_serve(world):
    contract = ServiceContract.objects.get(company=world.company_x)
    today = clock.now().date()
    dparties.contract_update(
        contract=contract,
        places=[world.compound_a],
        starts_on=date(2020, 1, 1),
        ends_on=today - timedelta(days=1),
    )
    assert selectors.property_company_for(place=world.household_a) is None
    dparties.contract_update(
        contract=contract, places=[world.compound_a], starts_on=today + timedelta(days=3)
    )
    assert selectors.property_company_for(place=world.household_a) is None
    assert (
        selectors.property_company_for(place=world.household_a, day=today + timedelta(days=5))
        == world.company_x
    )


def test_who_serves_a_household(world):
    hh = world.household_a
    assert selectors.party_serving(place=hh, kind=PartyKind.POLICE_STATION) == world.police
    assert selectors.party_serving(place=hh, kind=PartyKind.DEPARTMENT) == world.dept_housing
    kinds = set(selectors.parties_serving(place=hh).values_list("kind", flat=True))
    assert {
        PartyKind.RESIDENTS_COMMITTEE,
        PartyKind.ENV_PROPERTY_COMMITTEE,
        PartyKind.MUTUAL_AID_STATION,
        PartyKind.FAMILY_DOCTOR_TEAM,
        PartyKind.PARTY_ORG,
    } <= kinds
    leaders = selectors.members_for_place(place=hh, role="building_leader")
    assert [m.user for m in leaders] == [world.building_leader]
    assert not selectors.members_for_place(place=world.household_b, role="building_leader").exists()
    assert selectors.places_under(place=world.community, kind=P.HOUSEHOLD).count() == 3
    assert selectors.places_under(place=world.household_a, kind=P.HOUSEHOLD).count() == 1


def test_registration_with_the_party_organisation(world):
    reg = dparties.registration_create(
        party=world.company_x,
        party_org=world.party_org,
        registered_on=date(2024, 3, 1),
        contact_name="项目经理",
    )
    assert reg.party_org == world.party_org
    with pytest.raises(Conflict):
        dparties.registration_create(
            party=world.company_x, party_org=world.party_org, registered_on=date(2024, 3, 2)
        )
    with pytest.raises(Invalid):
        dparties.registration_create(
            party=world.company_y, party_org=world.rc, registered_on=date(2024, 3, 1)
        )
    with pytest.raises(Invalid):
        dparties.registration_create(
            party=world.party_org, party_org=world.party_org, registered_on=date(2024, 3, 1)
        )


def test_membership_roles_are_checked(world):
    with pytest.raises(Invalid):
        dparties.membership_create(user=world.outsider, party=world.rc, role="king")
    m = dparties.membership_create(
        user=world.outsider, party=world.rc, role="grid_worker", places=[world.compound_b]
    )
    again = dparties.membership_create(user=world.outsider, party=world.rc, role="grid_worker")
    assert m.pk == again.pk
    assert [x.user for x in selectors.members_for_place(place=world.household_b, role="grid_worker")] == [
        world.outsider
    ]


def test_the_chinese_message_names_the_kinds_in_chinese_whatever_the_language(world):
    from django.utils import translation  # noqa: PLC0415

    with translation.override("en"), pytest.raises(Invalid) as exc:
        dplaces.place_create(kind=PlaceKind.BUILDING, name="x", parent=world.household_a)
    assert "楼栋" in exc.value.message_zh and "Building" not in exc.value.message_zh
