"""Routing: category × place → party, configurable rules, never nowhere."""

from __future__ import annotations

from datetime import date

import pytest

from shequ.appeals import routing
from shequ.appeals.models import Category, RoutingRule, Status
from shequ.directory import parties as dparties
from shequ.directory import places as dplaces
from shequ.directory.models import PartyKind, PlaceKind

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("category", "place", "party", "kind"),
    [
        ("lift", "household_a", "company_x", "help"),
        ("lift", "household_b", "company_y", "help"),
        ("leaks", "building_a1", "company_x", "help"),
        ("bike-shed", "compound_b", "company_y", "complaint"),
        ("property-service", "household_a", "company_x", "complaint"),
        ("neighbour-dispute", "household_a", "mutual_aid", "help"),
        ("safety", "household_a", "police", "consult"),
        ("health", "household_a", "doctors", "consult"),
        ("elderly-care", "household_b", "doctors", "consult"),
        ("garbage", "compound_a", "rc", "complaint"),
        ("illegal-building", "building_b1", "rc", "report"),
        ("public-road", "community", "rc", "report"),
        ("suggestion", "community", "rc", "suggestion"),
    ],
)
def test_default_routes(world, file_appeal, category, place, party, kind):
    reporter = world.resident_b if place.endswith("_b") or place.endswith("b1") else world.resident_a
    appeal = file_appeal(category=category, place=getattr(world, place), kind=kind, reporter=reporter)
    assert appeal.responsible_party == getattr(world, party)
    assert appeal.first_party == getattr(world, party)
    assert appeal.dispatcher == world.rc
    assert appeal.status == Status.DISPATCHED
    assert appeal.dispatched_at is not None
    assert appeal.events.filter(kind="dispatched", party=getattr(world, party)).exists()


def test_consultations_are_private(world, file_appeal):
    appeal = file_appeal(category="health", kind="consult", is_public=True)
    assert appeal.is_public is False


def test_unmatched_goes_to_dispatch_queue(world, file_appeal):
    Category.objects.create(code="mystery", name="神秘事项")
    appeal = file_appeal(category="mystery")
    assert appeal.status == Status.SUBMITTED
    assert appeal.responsible_party == world.rc
    assert appeal.first_party is None
    assert appeal.accept_due_at is not None


def test_no_property_company_falls_back_to_dispatch_queue(world, file_appeal):
    compound = dplaces.place_create(kind=PlaceKind.COMPOUND, name="丙小区", parent=world.community)
    dplaces.place_create(kind=PlaceKind.BUILDING, name="9号楼", parent=compound)
    appeal = file_appeal(category="lift", place=compound)
    assert appeal.status == Status.SUBMITTED
    assert appeal.responsible_party == world.rc


def test_building_contract_beats_compound_contract(world, file_appeal):
    dparties.contract_create(company=world.company_y, places=[world.building_a2], starts_on=date(2021, 1, 1))
    assert file_appeal(category="lift", place=world.building_a2).responsible_party == world.company_y
    assert file_appeal(category="lift", place=world.building_a1).responsible_party == world.company_x


def test_admin_rule_with_place_scope_wins(world, file_appeal):
    RoutingRule.objects.create(
        category=Category.objects.get(code="lift"), place=world.compound_a, party=world.mutual_aid, priority=5
    )
    assert file_appeal(category="lift", place=world.household_a).responsible_party == world.mutual_aid
    assert (
        file_appeal(category="lift", place=world.household_b, reporter=world.resident_b).responsible_party
        == world.company_y
    )


def test_rule_whose_party_kind_is_missing_is_skipped(world, file_appeal):
    RoutingRule.objects.create(
        category=Category.objects.get(code="noise"), party_kind=PartyKind.CO_BUILDER, priority=1
    )
    assert file_appeal(category="noise", place=world.compound_a).responsible_party == world.rc


def test_inactive_rule_is_ignored(world, file_appeal):
    RoutingRule.objects.create(
        category=Category.objects.get(code="noise"), party=world.police, priority=1, is_active=False
    )
    assert file_appeal(category="noise", place=world.compound_a).responsible_party == world.rc


def test_dispatcher_required(world):
    lonely = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="无居委会社区", parent=world.district)
    from shequ.core.errors import Invalid

    with pytest.raises(Invalid):
        routing.dispatcher_for(place=lonely)


def test_escalation_ladder(world, file_appeal):
    appeal = file_appeal(category="lift")
    assert routing.escalation_target(appeal=appeal, level=1) == world.env_committee
    assert routing.escalation_target(appeal=appeal, level=2) == world.party_org
    assert routing.escalation_target(appeal=appeal, level=3) == world.street_office
    garbage = file_appeal(category="noise", place=world.compound_a)
    assert routing.escalation_target(appeal=garbage, level=1) == world.party_org
    dispute = file_appeal(category="neighbour-dispute")
    assert routing.escalation_target(appeal=dispute, level=1) == world.rc


def test_default_categories_loaded(db):
    codes = set(Category.objects.values_list("code", flat=True))
    for code in (
        "lift",
        "water",
        "drains",
        "heating",
        "power-lighting",
        "access-control",
        "leaks",
        "garbage",
        "greening",
        "noise",
        "illegal-building",
        "parking",
        "bike-shed",
        "property-service",
        "neighbour-dispute",
        "safety",
        "health",
        "elderly-care",
        "suggestion",
        "praise",
    ):
        assert code in codes
    assert Category.objects.get(code="lift").parent.code == "facilities"
    assert RoutingRule.objects.filter(place__isnull=True, category__parent__isnull=True).count() >= 10
