"""Writes to the directory. Nothing else saves a Place, Party or Membership."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction

from shequ.core.errors import Invalid
from shequ.directory.models import (
    ANCESTOR_FIELDS,
    PLACE_LEVEL,
    Membership,
    Party,
    PartyKind,
    PartyPlace,
    Place,
    PlaceKind,
    Role,
    ServiceContract,
    Spot,
)


def check_place_parent(*, kind: str, parent: Place | None) -> None:
    level = PLACE_LEVEL[PlaceKind(kind)]
    if parent is None:
        if kind != PlaceKind.DISTRICT:
            raise Invalid("只有区可以没有上级。", "Only a district may have no parent.", code="place_parent_required")
        return
    if PLACE_LEVEL[PlaceKind(parent.kind)] >= level:
        raise Invalid(
            f"{PlaceKind(kind).label}不能建在{PlaceKind(parent.kind).label}之下。",
            f"A {kind} cannot be placed under a {parent.kind}.",
            code="place_parent_invalid",
        )


def fill_ancestors(place: Place) -> None:
    """Copy the parent's ancestor columns onto `place` and point its own level at itself (once saved)."""
    parent = place.parent
    for field in ANCESTOR_FIELDS.values():
        setattr(place, f"{field}_id", getattr(parent, f"{field}_id") if parent else None)
    if parent is not None and parent.kind in ANCESTOR_FIELDS:
        setattr(place, f"{ANCESTOR_FIELDS[PlaceKind(parent.kind)]}_id", parent.pk)


def place_create(
    *,
    kind: str,
    name: str,
    parent: Place | None,
    floor_area: Decimal | None = None,
    floor: int | None = None,
    code: str = "",
    sort: int = 0,
    address: str = "",
) -> Place:
    check_place_parent(kind=kind, parent=parent)
    if kind == PlaceKind.HOUSEHOLD and floor_area is not None and floor_area <= 0:
        raise Invalid("面积必须大于0。", "Floor area must be positive.", code="floor_area_invalid")
    place = Place(kind=kind, name=name.strip(), parent=parent, floor_area=floor_area, floor=floor, code=code,
                  sort=sort, address=address)
    fill_ancestors(place)
    with transaction.atomic():
        place.save()
        self_field = ANCESTOR_FIELDS.get(PlaceKind(kind))
        if self_field:
            setattr(place, f"{self_field}_id", place.pk)
            place.save(update_fields=[f"{self_field}_id"])
    return place


def places_bulk_create(*, parent: Place, kind: str, rows: Iterable[dict]) -> list[Place]:
    """Create many children of one parent in two queries (used by the demo and imports)."""
    check_place_parent(kind=kind, parent=parent)
    places = []
    for row in rows:
        place = Place(kind=kind, parent=parent, **row)
        fill_ancestors(place)
        places.append(place)
    created = Place.objects.bulk_create(places)
    self_field = ANCESTOR_FIELDS.get(PlaceKind(kind))
    if self_field:
        for place in created:
            setattr(place, f"{self_field}_id", place.pk)
        Place.objects.bulk_update(created, [f"{self_field}_id"])
    return created


def spot_create(*, place: Place, kind: str, name: str, install_year: int | None = None, code: str = "") -> Spot:
    return Spot.objects.create(
        place=place, kind=kind, name=name, install_year=install_year, code=code,
        community_id=place.community_id, compound_id=place.compound_id,
    )


def party_create(
    *,
    kind: str,
    name: str,
    code: str,
    home: Place | None = None,
    places: Iterable[Place] = (),
    **fields,
) -> Party:
    with transaction.atomic():
        party = Party.objects.create(kind=kind, name=name, code=code, home=home, **fields)
        PartyPlace.objects.bulk_create([PartyPlace(party=party, place=p) for p in places])
    return party


def membership_create(*, user, party: Party, role: str, title: str = "", places: Iterable[Place] = (),
                      public_phone: str = "") -> Membership:
    if role not in Role.values:
        raise Invalid("角色无效。", "Unknown role.", code="role_invalid")
    with transaction.atomic():
        membership, _ = Membership.objects.get_or_create(
            user=user, party=party, role=role, defaults={"title": title, "public_phone": public_phone}
        )
        places = list(places)
        if places:
            membership.places.add(*places)
    return membership


def contract_create(*, company: Party, places: Iterable[Place], starts_on: date, ends_on: date | None = None,
                    number: str = "", note: str = "") -> ServiceContract:
    if company.kind != PartyKind.PROPERTY_COMPANY:
        raise Invalid("只有物业服务企业可以签订物业服务合同。", "Only a property company can hold a service contract.",
                      code="contract_company_invalid")
    places = list(places)
    bad = [p for p in places if p.kind not in (PlaceKind.COMPOUND, PlaceKind.BUILDING)]
    if bad or not places:
        raise Invalid("服务范围必须是小区或楼栋。", "A contract covers compounds or buildings.",
                      code="contract_places_invalid")
    if ends_on and ends_on < starts_on:
        raise Invalid("结束日期不能早于开始日期。", "The contract cannot end before it starts.",
                      code="contract_period_invalid")
    with transaction.atomic():
        contract = ServiceContract.objects.create(company=company, starts_on=starts_on, ends_on=ends_on,
                                                  number=number, note=note)
        contract.places.add(*places)
    return contract
