"""Writes to the place tree: places (create, bulk create, move with their subtree) and spots.
Nothing else saves a Place or a Spot."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from enum import Enum
from typing import Final

from django.db import transaction

from shequ.core.errors import Conflict, Invalid, zh
from shequ.directory.models import (
    ANCESTOR_FIELDS,
    PLACE_LEVEL,
    Place,
    PlaceKind,
    Spot,
)


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
            f"{zh(PlaceKind(kind).label)}不能建在{zh(PlaceKind(parent.kind).label)}之下。",
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


# --- Updates -----------------------------------------------------------------------------------------


class _Unset(Enum):
    """ "Not given" for an argument whose None means "clear it"."""

    UNSET = "unset"


_UNSET: Final = _Unset.UNSET


def place_update(
    *,
    place: Place,
    name: str | None = None,
    parent: Place | None | _Unset = _UNSET,
    floor_area: Decimal | None | _Unset = _UNSET,
    floor: int | None | _Unset = _UNSET,
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
        if floor_area is not None and floor_area <= 0:
            raise Invalid("面积必须大于0。", "Floor area must be positive.", code="floor_area_invalid")
        place.floor_area = floor_area
        changed.append("floor_area")
    if floor is not _UNSET and floor != place.floor:
        place.floor = floor
        changed.append("floor")
    moved = False
    if parent is not _UNSET and (parent.pk if parent is not None else None) != place.parent_id:
        moved = True
        check_place_parent(kind=place.kind, parent=parent)
        if parent is not None and place.pk in parent.ancestor_ids():
            raise Invalid(
                "不能把地点移到它自己的下级之下。",
                "A place cannot move under its own descendant.",
                code="place_parent_cycle",
            )
        place.parent = parent
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
    install_year: int | None | _Unset = _UNSET,
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
        spot.install_year = install_year
        changed.append("install_year")
    if changed:
        spot.save(update_fields=[*changed, "updated_at"])
    return spot
