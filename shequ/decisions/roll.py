"""Who votes, with what area: the one place that turns the owners' register into a voting roll.

SPC interpretation on 建筑物区分所有权 arts. 8–9, as the register encodes them: each unit votes through its
representative owner; an owner of several units (a buyer of several flats, the developer with all of its
unsold units) is one voter with the sum of the units' areas. Owners' decisions (`decisions.services`) and
owners'-committee elections (`elections.services`) both fix their rolls with `owner_roll`, and both count
with `decisions.counting`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from shequ.decisions.models import Decision, ExclusiveUnit, Ownership
from shequ.directory.models import Place, PlaceKind


def decision_units(decision: Decision) -> QuerySet[ExclusiveUnit]:
    """The units a decision concerns: the compound's, or only those of the buildings named."""
    units = ExclusiveUnit.objects.filter(compound=decision.compound)
    building_ids = list(decision.buildings.values_list("pk", flat=True))
    if building_ids:
        units = units.filter(building_id__in=building_ids)
    return units


def units_in(place: Place) -> QuerySet[ExclusiveUnit]:
    """The register's units at or under a place (a compound, one of its buildings, or a community)."""
    if place.kind == PlaceKind.BUILDING:
        return ExclusiveUnit.objects.filter(building_id=place.pk)
    if place.kind == PlaceKind.COMMUNITY:
        return ExclusiveUnit.objects.filter(compound__community_id=place.pk)
    return ExclusiveUnit.objects.filter(compound_id=place.pk)


@dataclass
class RollUnitRow:
    unit_id: int
    label: str
    area: Decimal
    building: str


@dataclass
class RollOwner:
    owner_id: int
    name: str
    user_id: int | None
    is_developer: bool
    area: Decimal = Decimal("0")
    units: list[RollUnitRow] = field(default_factory=list)

    @property
    def unit_count(self) -> int:
        return len(self.units)

    @property
    def building(self) -> str:
        return self.units[0].building if self.units else ""


def owner_roll(units: QuerySet[ExclusiveUnit]) -> dict[int, RollOwner]:
    """Owner id → the voter: one per owner of record, with all of their units in `units` (one query)."""
    rows = (
        Ownership.objects.filter(unit__in=units, is_representative=True)
        .values_list(
            "unit_id",
            "unit__label",
            "unit__area",
            "unit__building__name",
            "owner_id",
            "owner__name",
            "owner__user_id",
            "owner__is_developer",
        )
        .order_by("owner_id", "unit__label", "unit_id")
    )
    voters: dict[int, RollOwner] = {}
    for unit_id, label, area, building, owner_id, name, user_id, is_dev in rows:
        voter = voters.get(owner_id)
        if voter is None:
            voter = voters[owner_id] = RollOwner(
                owner_id=owner_id, name=name, user_id=user_id, is_developer=is_dev
            )
        voter.area += area
        voter.units.append(RollUnitRow(unit_id=unit_id, label=label, area=area, building=building or ""))
    return voters


def total_area(voters: dict[int, RollOwner]) -> Decimal:
    return sum((v.area for v in voters.values()), start=Decimal("0"))
