"""Bulk import of a compound's buildings, units and households from .xlsx or .csv: every row checked
first (a row-by-row zh/en report), then all of it written, or nothing. Parsing the file is `tabular`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction

from shequ.core.errors import Invalid
from shequ.directory.models import (
    Place,
    PlaceKind,
)
from shequ.directory.places import places_bulk_create
from shequ.directory.tabular import ImportReport, read_rows


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
        if problems or area is None:  # a missing area is always one of the problems
            report.reject(number, "；".join(p[0] for p in problems), "; ".join(p[1] for p in problems))
        else:
            parsed.append((building, unit, household, floor, area))
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
