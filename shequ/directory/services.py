"""Writes to the directory. Nothing else saves a Place, Party or Membership."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction

from shequ.core.errors import Conflict, Invalid
from shequ.directory.models import (
    ANCESTOR_FIELDS,
    PLACE_LEVEL,
    Membership,
    Party,
    PartyKind,
    PartyPlace,
    PartyRegistration,
    Place,
    PlaceKind,
    Role,
    ServiceContract,
    Spot,
)
from shequ.directory.tabular import ImportReport, read_rows


def check_place_parent(*, kind: str, parent: Place | None) -> None:
    level = PLACE_LEVEL[PlaceKind(kind)]
    if parent is None:
        if kind != PlaceKind.DISTRICT:
            raise Invalid(
                "只有区可以没有上级。", "Only a district may have no parent.", code="place_parent_required"
            )
        return
    if PLACE_LEVEL[PlaceKind(parent.kind)] >= level:
        raise Invalid(
            f"{PlaceKind(kind).label}不能建在{PlaceKind(parent.kind).label}之下。",
            f"A {kind} cannot be placed under a {parent.kind}.",
            code="place_parent_invalid",
        )


def check_name_free(*, parent: Place | None, name: str, exclude_id: int | None = None) -> None:
    name = name.strip()
    if not name:
        raise Invalid("请填写名称。", "A name is required.", code="place_name_required")
    siblings = Place.objects.filter(parent=parent, name=name)
    if exclude_id:
        siblings = siblings.exclude(pk=exclude_id)
    if siblings.exists():
        raise Conflict(
            f"同一上级下已有“{name}”。",
            f"{name!r} already exists under this parent.",
            code="place_name_taken",
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
    check_name_free(parent=parent, name=name)
    place = Place(
        kind=kind,
        name=name.strip(),
        parent=parent,
        floor_area=floor_area,
        floor=floor,
        code=code,
        sort=sort,
        address=address,
    )
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


def spot_create(
    *, place: Place, kind: str, name: str, install_year: int | None = None, code: str = ""
) -> Spot:
    return Spot.objects.create(
        place=place,
        kind=kind,
        name=name,
        install_year=install_year,
        code=code,
        community_id=place.community_id,
        compound_id=place.compound_id,
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


def membership_create(
    *, user, party: Party, role: str, title: str = "", places: Iterable[Place] = (), public_phone: str = ""
) -> Membership:
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


def contract_create(
    *,
    company: Party,
    places: Iterable[Place],
    starts_on: date,
    ends_on: date | None = None,
    number: str = "",
    note: str = "",
) -> ServiceContract:
    places = list(places)
    check_contract(company=company, places=places, starts_on=starts_on, ends_on=ends_on)
    with transaction.atomic():
        contract = ServiceContract.objects.create(
            company=company, starts_on=starts_on, ends_on=ends_on, number=number, note=note
        )
        contract.places.add(*places)
    return contract


# --- Updates -----------------------------------------------------------------------------------------

_UNSET = object()


def place_update(
    *,
    place: Place,
    name: str | None = None,
    parent: Place | None | object = _UNSET,
    floor_area: Decimal | None | object = _UNSET,
    floor: int | None | object = _UNSET,
    code: str | None = None,
    sort: int | None = None,
    address: str | None = None,
) -> Place:
    """Change a place. Moving it (a new parent) recomputes the ancestor columns of its whole subtree."""
    changed: list[str] = []
    if name is not None and name.strip() != place.name:
        place.name = name.strip()
        changed.append("name")
    for field, value in (("code", code), ("sort", sort), ("address", address)):
        if value is not None and getattr(place, field) != value:
            setattr(place, field, value)
            changed.append(field)
    if floor_area is not _UNSET and floor_area != place.floor_area:
        if floor_area is not None and floor_area <= 0:  # type: ignore[operator]
            raise Invalid("面积必须大于0。", "Floor area must be positive.", code="floor_area_invalid")
        place.floor_area = floor_area  # type: ignore[assignment]
        changed.append("floor_area")
    if floor is not _UNSET and floor != place.floor:
        place.floor = floor  # type: ignore[assignment]
        changed.append("floor")
    moved = parent is not _UNSET and getattr(parent, "pk", None) != place.parent_id
    if moved:
        new_parent: Place | None = parent  # type: ignore[assignment]
        check_place_parent(kind=place.kind, parent=new_parent)
        if new_parent is not None and place.pk in new_parent.ancestor_ids():
            raise Invalid(
                "不能把地点移到它自己的下级之下。",
                "A place cannot move under its own descendant.",
                code="place_parent_cycle",
            )
        place.parent = new_parent
        changed.append("parent")
    if not changed:
        return place
    if "name" in changed or moved:
        check_name_free(parent=place.parent, name=place.name, exclude_id=place.pk)
    with transaction.atomic():
        if moved:
            fill_ancestors(place)
            self_field = ANCESTOR_FIELDS.get(PlaceKind(place.kind))
            if self_field:
                setattr(place, f"{self_field}_id", place.pk)
            changed += [f"{f}_id" for f in ANCESTOR_FIELDS.values()]
        place.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
        if moved:
            _refresh_subtree(place)
            _refresh_spots(place)
    return place


def _subtree_ids(place: Place) -> list[int]:
    self_field = ANCESTOR_FIELDS.get(PlaceKind(place.kind))
    if not self_field:
        return [place.pk]
    return list(Place.objects.filter(**{f"{self_field}_id": place.pk}).values_list("id", flat=True))


def _refresh_subtree(root: Place) -> None:
    """Recompute ancestor columns below `root`, level by level (parents before children)."""
    self_field = ANCESTOR_FIELDS.get(PlaceKind(root.kind))
    if not self_field:
        return
    nodes = {root.pk: root}
    descendants = sorted(
        Place.objects.filter(**{f"{self_field}_id": root.pk}).exclude(pk=root.pk),
        key=lambda p: PLACE_LEVEL[PlaceKind(p.kind)],
    )
    for node in descendants:
        nodes[node.pk] = node
    for node in descendants:
        if node.parent_id is not None and node.parent_id in nodes:
            node.parent = nodes[node.parent_id]
        fill_ancestors(node)
        own = ANCESTOR_FIELDS.get(PlaceKind(node.kind))
        if own:
            setattr(node, f"{own}_id", node.pk)
    Place.objects.bulk_update(descendants, [f"{f}_id" for f in ANCESTOR_FIELDS.values()], batch_size=500)


def _refresh_spots(root: Place) -> None:
    ids = _subtree_ids(root)
    spots = list(Spot.objects.filter(place_id__in=ids).select_related("place"))
    for spot in spots:
        spot.community_id = spot.place.community_id
        spot.compound_id = spot.place.compound_id
    Spot.objects.bulk_update(spots, ["community_id", "compound_id"], batch_size=500)


def spot_update(
    *,
    spot: Spot,
    place: Place | None = None,
    kind: str | None = None,
    name: str | None = None,
    install_year: int | None | object = _UNSET,
    code: str | None = None,
) -> Spot:
    changed: list[str] = []
    if place is not None and place.pk != spot.place_id:
        spot.place = place
        spot.community_id = place.community_id
        spot.compound_id = place.compound_id
        changed += ["place", "community", "compound"]
    for field, value in (("kind", kind), ("name", name), ("code", code)):
        if value is not None and getattr(spot, field) != value:
            setattr(spot, field, value)
            changed.append(field)
    if install_year is not _UNSET and install_year != spot.install_year:
        spot.install_year = install_year  # type: ignore[assignment]
        changed.append("install_year")
    if changed:
        spot.save(update_fields=[*changed, "updated_at"])
    return spot


def check_contract(*, company: Party, places: Iterable[Place], starts_on: date, ends_on: date | None) -> None:
    if company.kind != PartyKind.PROPERTY_COMPANY:
        raise Invalid(
            "只有物业服务企业可以签订物业服务合同。",
            "Only a property company can hold a service contract.",
            code="contract_company_invalid",
        )
    places = list(places)
    if not places or any(p.kind not in (PlaceKind.COMPOUND, PlaceKind.BUILDING) for p in places):
        raise Invalid(
            "服务范围必须是小区或楼栋。",
            "A contract covers compounds or buildings.",
            code="contract_places_invalid",
        )
    if ends_on and ends_on < starts_on:
        raise Invalid(
            "结束日期不能早于开始日期。",
            "The contract cannot end before it starts.",
            code="contract_period_invalid",
        )


def contract_update(
    *,
    contract: ServiceContract,
    places: Iterable[Place],
    starts_on: date,
    ends_on: date | None = None,
    number: str = "",
    note: str = "",
) -> ServiceContract:
    places = list(places)
    check_contract(company=contract.company, places=places, starts_on=starts_on, ends_on=ends_on)
    with transaction.atomic():
        contract.starts_on, contract.ends_on, contract.number, contract.note = (
            starts_on,
            ends_on,
            number,
            note,
        )
        contract.save(update_fields=["starts_on", "ends_on", "number", "note", "updated_at"])
        contract.places.set(places)
    return contract


def registration_create(
    *, party: Party, party_org: Party, registered_on: date, contact_name: str = "", note: str = ""
) -> PartyRegistration:
    """A party (typically a property company) registers (报到) with the community party organisation."""
    if party_org.kind != PartyKind.PARTY_ORG:
        raise Invalid(
            "只能向社区党组织报到。",
            "Registration is with a community party organisation.",
            code="registration_org_invalid",
        )
    if party.pk == party_org.pk or party.kind == PartyKind.PARTY_ORG:
        raise Invalid(
            "社区党组织不需要向自己报到。",
            "A party organisation does not register with itself.",
            code="registration_party_invalid",
        )
    registration, created = PartyRegistration.objects.get_or_create(
        party=party,
        party_org=party_org,
        defaults={"registered_on": registered_on, "contact_name": contact_name, "note": note},
    )
    if not created:
        raise Conflict("该单位已经报到。", "This party has already registered.", code="registration_exists")
    return registration


# --- Bulk import of buildings, units and households --------------------------------------------------


def _building_name(text: str) -> str:
    return f"{text}号楼" if text.isdigit() else text


def _unit_name(text: str) -> str:
    return f"{text}单元" if text.isdigit() else text


def _parse_area(text: str) -> tuple[Decimal | None, tuple[str, str] | None]:
    if not text:
        return None, ("缺少专有面积", "missing floor area")
    try:
        area = Decimal(text.replace(",", "").replace("㎡", "").replace("m²", "").strip())
    except InvalidOperation:
        return None, (f"专有面积“{text}”不是数字", f"floor area {text!r} is not a number")
    if not area.is_finite() or area <= 0:
        return None, (f"专有面积“{text}”必须大于0", f"floor area {text!r} must be positive")
    if area >= 100000:
        return None, (f"专有面积“{text}”过大", f"floor area {text!r} is too large")
    return area.quantize(Decimal("0.01")), None


def _parse_floor(text: str, household: str) -> tuple[int | None, tuple[str, str] | None]:
    if not text:
        # "501" → floor 5, "1203" → floor 12; anything else leaves the floor empty.
        return (int(household[:-2]) if household.isdigit() and len(household) >= 3 else None), None
    try:
        value = float(text)
    except ValueError:
        return None, (f"楼层“{text}”不是整数", f"floor {text!r} is not a whole number")
    if not value.is_integer() or not -10 <= value <= 200:
        return None, (f"楼层“{text}”不是有效的整数", f"floor {text!r} is not a valid whole number")
    return int(value), None


def places_import(*, compound: Place, file: IO[bytes] | bytes, filename: str) -> ImportReport:
    """Import buildings, units and households into a compound from .xlsx or .csv.

    Every row is validated first; when any row is rejected nothing is written and the report lists each
    rejected row with its reason. Buildings and units that already exist are reused; a household that
    already exists is a rejected row. File-level problems (format, missing columns) raise `Invalid`.
    """
    if compound.kind != PlaceKind.COMPOUND:
        raise Invalid("只能向小区导入楼栋和住户。", "Import into a compound.", code="import_target_invalid")
    rows = read_rows(file, filename)
    report = ImportReport(filename=filename, rows=len(rows))

    children = {p.name: p for p in Place.objects.filter(parent=compound)}
    units = {
        (u.parent_id, u.name): u for u in Place.objects.filter(parent__parent=compound, kind=PlaceKind.UNIT)
    }
    existing = set(
        Place.objects.filter(compound=compound, kind=PlaceKind.HOUSEHOLD).values_list("parent_id", "name")
    )
    seen: dict[tuple[str, str, str], int] = {}
    parsed: list[tuple[str, str, str, int | None, Decimal]] = []
    for number, values in rows:
        problems: list[tuple[str, str]] = []
        building = _building_name(values.get("building", ""))
        unit = _unit_name(values.get("unit", ""))
        household = values.get("household", "")
        if not building:
            problems.append(("缺少楼栋", "missing building"))
        if not household:
            problems.append(("缺少门牌号", "missing household number"))
        if max(len(building), len(unit), len(household)) > 100:
            problems.append(("名称过长（最多100字）", "a name is longer than 100 characters"))
        area, problem = _parse_area(values.get("area", ""))
        if problem:
            problems.append(problem)
        floor, problem = _parse_floor(values.get("floor", ""), household)
        if problem:
            problems.append(problem)
        if building and building in children and children[building].kind != PlaceKind.BUILDING:
            problems.append((f"“{building}”已存在但不是楼栋", f"{building!r} exists but is not a building"))
        if building and household:
            key = (building, unit, household)
            label = "".join(key)
            if key in seen:
                problems.append(
                    (f"住户“{label}”与第{seen[key]}行重复", f"household {label!r} repeats row {seen[key]}")
                )
            else:
                seen[key] = number
            parent = children.get(building)
            if parent is not None and unit:
                parent = units.get((parent.pk, unit))
            if parent is not None and (parent.pk, household) in existing:
                problems.append((f"住户“{label}”已存在", f"household {label!r} already exists"))
        if problems:
            report.reject(number, "；".join(p[0] for p in problems), "; ".join(p[1] for p in problems))
        else:
            parsed.append((building, unit, household, floor, area))  # type: ignore[arg-type]
    if not report.ok:
        return report

    with transaction.atomic():
        new_buildings = list(dict.fromkeys(b for b, *_ in parsed if b not in children))
        base = len(children)
        for place in places_bulk_create(
            parent=compound,
            kind=PlaceKind.BUILDING,
            rows=[{"name": name, "sort": base + i} for i, name in enumerate(new_buildings)],
        ):
            children[place.name] = place
        report.buildings_created = len(new_buildings)
        new_units: dict[str, list[str]] = {}
        for b, u, *_ in parsed:
            if u and (children[b].pk, u) not in units and u not in new_units.setdefault(b, []):
                new_units[b].append(u)
        for b, names in new_units.items():
            for place in places_bulk_create(
                parent=children[b],
                kind=PlaceKind.UNIT,
                rows=[{"name": n, "sort": i} for i, n in enumerate(names)],
            ):
                units[(children[b].pk, place.name)] = place
            report.units_created += len(names)
        by_parent: dict[int, tuple[Place, list[dict]]] = {}
        for b, u, h, floor, area in parsed:
            parent = units[(children[b].pk, u)] if u else children[b]
            by_parent.setdefault(parent.pk, (parent, []))[1].append(
                {"name": h, "floor": floor, "floor_area": area}
            )
        for parent, household_rows in by_parent.values():
            for i, row in enumerate(household_rows):
                row["sort"] = i
            places_bulk_create(parent=parent, kind=PlaceKind.HOUSEHOLD, rows=household_rows)
            report.households_created += len(household_rows)
    return report
