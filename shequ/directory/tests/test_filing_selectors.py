"""The reads behind staff filing and the workbench filters: which compounds a party serves, the places there,
and finding a resident or a household by phone, name or room number."""

from shequ.accounts.models import Residency
from shequ.accounts.selectors import residents_search
from shequ.directory import parties as dparties
from shequ.directory import places as dplaces
from shequ.directory import selectors
from shequ.directory.models import PlaceKind


def test_a_property_company_serves_the_compounds_under_contract(world):
    assert selectors.compounds_served_by(parties=[world.company_x]) == [world.compound_a]
    assert selectors.compounds_served_by(parties=[world.company_y]) == [world.compound_b]
    both = selectors.compounds_served_by(parties=[world.company_x, world.company_y])
    assert {c.pk for c in both} == {world.compound_a.pk, world.compound_b.pk}


def test_a_community_party_serves_every_compound_of_the_community(world):
    assert selectors.compounds_served_by(parties=[world.rc]) == [world.compound_a, world.compound_b]


def test_a_street_office_serves_every_compound_of_the_street(world):
    assert selectors.compounds_served_by(parties=[world.street_office]) == [
        world.compound_a,
        world.compound_b,
    ]


def test_no_parties_or_no_places_serve_nothing(world):
    assert selectors.compounds_served_by(parties=[]) == []
    lonely = dparties.party_create(
        kind="property_company", name="无合同物业", code="t-none", home=world.community
    )
    assert selectors.compounds_served_by(parties=[lonely]) == []


def test_places_for_filing_groups_buildings_and_spots_by_compound(world, django_assert_max_num_queries):
    gate = dplaces.spot_create(place=world.compound_a, kind="gate", name="东门")
    with django_assert_max_num_queries(6):
        areas = selectors.places_for_filing(parties=[world.company_x])
        assert [a.compound for a in areas] == [world.compound_a]
        area = areas[0]
        assert area.buildings == [world.building_a1, world.building_a2]
        assert {s.pk for s in area.spots} == {world.lift_a1.pk, gate.pk}
        assert {s.place.name for s in area.spots} == {"1号楼", "甲小区"}  # places loaded with the spots
    assert selectors.places_for_filing(parties=[]) == []


def test_places_for_filing_keeps_each_compounds_own_buildings(world):
    areas = {a.compound.pk: a for a in selectors.places_for_filing(parties=[world.rc])}
    assert areas[world.compound_b.pk].buildings == [world.building_b1]
    assert areas[world.compound_b.pk].spots == []


def test_households_search_by_room_number_narrowed_by_names(world, django_assert_num_queries):
    ids = [world.compound_a.pk, world.compound_b.pk]
    with django_assert_num_queries(1):
        found = selectors.households_search(compound_ids=ids, term="101")
        assert found == [world.household_a]
        assert found[0].building.name == "1号楼"  # compound, building and unit come with it
    assert selectors.households_search(compound_ids=ids, term="1号楼 302") == [world.household_b]
    assert selectors.households_search(compound_ids=ids, term="乙小区 101") == []
    assert selectors.households_search(compound_ids=[world.compound_b.pk], term="101") == []
    assert selectors.households_search(compound_ids=[], term="101") == []
    assert selectors.households_search(compound_ids=ids, term="") == []


def test_household_in_only_inside_the_compounds(world):
    assert (
        selectors.household_in(compound_ids=[world.compound_a.pk], household_id=world.household_a.pk)
        == world.household_a
    )
    assert (
        selectors.household_in(compound_ids=[world.compound_b.pk], household_id=world.household_a.pk) is None
    )
    # Not a household: a building of the compound is not found either.
    assert (
        selectors.household_in(compound_ids=[world.compound_a.pk], household_id=world.building_a1.pk) is None
    )


def test_residents_search_by_phone_prefix_or_name(world, django_assert_num_queries):
    ids = [world.compound_a.pk]
    with django_assert_num_queries(1):
        found = residents_search(compound_ids=ids, term="1380000000")
        assert [r.user for r in found] == [world.resident_a]
        assert found[0].household.compound.name == "甲小区"
    names = [r.user.real_name for r in residents_search(compound_ids=ids, term="张")]
    assert names == sorted(names) and set(names) == {"张三", "张小三"}
    assert residents_search(compound_ids=ids, term="李四") == []  # lives in compound B
    assert [r.user for r in residents_search(compound_ids=[world.compound_b.pk], term=" 李四 ")] == [
        world.resident_b
    ]
    assert residents_search(compound_ids=ids, term="  ") == []
    assert residents_search(compound_ids=[], term="张") == []


def test_residents_search_skips_rejected_and_inactive(world):
    Residency.objects.filter(user=world.resident_a2).update(status=Residency.Status.REJECTED)
    world.resident_b.is_active = False
    world.resident_b.save(update_fields=["is_active"])
    assert [r.user for r in residents_search(compound_ids=[world.compound_a.pk], term="张")] == [
        world.resident_a
    ]
    assert residents_search(compound_ids=[world.compound_b.pk], term="李") == []


def test_household_kind_is_required_for_search(world):
    # A building named like a room number is not a household.
    dplaces.place_create(kind=PlaceKind.BUILDING, name="101", parent=world.compound_a)
    assert selectors.households_search(compound_ids=[world.compound_a.pk], term="101") == [world.household_a]
