from shequ.directory import selectors
from shequ.directory.models import PartyKind


def test_ancestor_columns_point_at_each_level(world):
    hh = world.household_a
    assert hh.compound_id == world.compound_a.pk
    assert hh.building_id == world.building_a1.pk
    assert hh.community_id == world.community.pk
    assert hh.street_id == world.street.pk
    assert world.compound_a.compound_id == world.compound_a.pk


def test_property_company_follows_the_contract(world):
    assert selectors.property_company_for(place=world.household_a) == world.company_x
    assert selectors.property_company_for(place=world.household_b) == world.company_y


def test_nearest_party_of_a_kind(world):
    assert selectors.party_serving(place=world.household_a, kind=PartyKind.RESIDENTS_COMMITTEE) == world.rc
    assert selectors.party_serving(place=world.household_b, kind=PartyKind.OWNERS_COMMITTEE) is None
    assert (
        selectors.party_serving(place=world.household_a, kind=PartyKind.OWNERS_COMMITTEE)
        == world.owners_committee
    )
