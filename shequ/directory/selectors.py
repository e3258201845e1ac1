"""Reads of the directory: who serves a place, which places a party covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import DateField, Q, QuerySet, Value

from shequ.core import clock, readcache
from shequ.directory.models import (
    ANCESTOR_FIELDS,
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


def contracts_active_on(day: date | None = None) -> Q:
    day = day or clock.now().date()
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


@dataclass(frozen=True)
class Serving:
    """Who serves which place, read once for the process (`SERVING`, a `shequ.core.readcache` table):
    every party by id, the active parties serving each place by kind (lowest id first), and the service
    contracts covering each place (the latest start first; a contract's period is checked on the day
    asked about, so a cached copy is right on any day)."""

    parties: dict[int, Party]
    by_place: dict[tuple[int, str], int]
    contracts: dict[int, list[tuple[date, date | None, int]]]

    def party_serving(self, *, place: Place, kind: str, day: date | None = None) -> Party | None:
        if kind == PartyKind.PROPERTY_COMPANY:
            return self.property_company_for(place=place, day=day)
        for pid in place.ancestor_ids():
            party_id = self.by_place.get((pid, kind))
            if party_id is not None:
                return self.parties[party_id]
        return None

    def property_company_for(self, *, place: Place, day: date | None = None) -> Party | None:
        day = day or clock.now().date()
        candidates = [pid for pid in (place.building_id, place.compound_id) if pid]
        if place.kind in ("building", "compound") and place.pk not in candidates:
            candidates.insert(0, place.pk)
        for pid in candidates:
            active = [
                company_id
                for starts_on, ends_on, company_id in self.contracts.get(pid, ())
                if starts_on <= day and (ends_on is None or ends_on >= day)
            ]
            if active:
                return self.parties[active[-1]]  # of several, the one that started first
        return None


def _load_serving() -> Serving:
    """Two reads: every party, then the places served and the contracted places in one UNION ALL."""
    parties = {p.pk: p for p in Party.objects.all()}
    no_day = Value(None, output_field=DateField())
    served = PartyPlace.objects.values_list("party_id", "place_id", no_day, no_day)
    contracted = ServiceContract.places.through.objects.values_list(
        "servicecontract__company_id", "place_id", "servicecontract__starts_on", "servicecontract__ends_on"
    )
    by_place: dict[tuple[int, str], int] = {}
    contracts: dict[int, list[tuple[date, date | None, int]]] = {}
    rows = list(served.union(contracted, all=True))
    for party_id, place_id, _starts_on, _ends_on in sorted(r for r in rows if r[2] is None):
        party = parties[party_id]
        if party.is_active:
            by_place.setdefault((place_id, party.kind), party_id)  # of several, the lowest id
    # The latest start first (of several active contracts the earliest start wins, `property_company_for`).
    for company_id, place_id, starts_on, ends_on in sorted(
        (r for r in rows if r[2] is not None), key=lambda r: (-r[2].toordinal(), r[0])
    ):
        contracts.setdefault(place_id, []).append((starts_on, ends_on, company_id))
    return Serving(parties=parties, by_place=by_place, contracts=contracts)


SERVING = readcache.Table(
    "directory.serving", load=_load_serving, models=(Party, PartyPlace, ServiceContract)
)


def serving() -> Serving:
    """Who serves which place (cached: `shequ.core.readcache`)."""
    return SERVING.get()


def property_company_for(*, place: Place, day: date | None = None) -> Party | None:
    """The property company whose active contract covers this place (its building first, then compound)."""
    return serving().property_company_for(place=place, day=day)


def parties_serving(*, place: Place, kinds: list[str] | None = None) -> QuerySet[Party]:
    """Parties that serve this place or any of its ancestors (nearest place first is up to the caller)."""
    qs = Party.objects.filter(is_active=True, served__place_id__in=place.ancestor_ids()).distinct()
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs


def party_serving(*, place: Place, kind: str) -> Party | None:
    """The nearest party of a kind serving this place (e.g. the residents' committee of a household);
    a property company through its active service contract. From the cached `serving()` table: the
    party is shared by the process's requests, read it and never change it."""
    return serving().party_serving(place=place, kind=kind)


def party_place_ids(*, party: Party) -> set[int]:
    """Places a party covers: places it serves plus, for a property company, its active contracts' places."""
    ids = set(party.served.values_list("place_id", flat=True))
    if party.kind == PartyKind.PROPERTY_COMPANY:
        ids |= set(
            ServiceContract.objects.filter(contracts_active_on(), company=party).values_list(
                "places", flat=True
            )
        )
    ids.discard(None)
    return ids


def place_within(*, place: Place, ancestor_ids: set[int]) -> bool:
    """Is `place` one of `ancestor_ids` or under one of them?"""
    return bool(set(place.ancestor_ids()) & ancestor_ids)


def within(place: Place, prefix: str = "") -> Q:
    """Q for places at or under `place` (one indexed equality on an ancestor column)."""
    field = ANCESTOR_FIELDS.get(PlaceKind(place.kind))
    if field is None:
        return Q(**{f"{prefix}pk": place.pk})
    return Q(**{f"{prefix}{field}_id": place.pk})


def places_under(*, place: Place, kind: str) -> QuerySet[Place]:
    """Places of a kind at or under `place`: households of a community, compounds of a street …"""
    return Place.objects.filter(within(place), kind=kind)


def property_companies_in(*, place: Place, day: date | None = None) -> QuerySet[Party]:
    """Property companies whose active contracts cover `place` or anything under it."""
    contracts = ServiceContract.objects.filter(contracts_active_on(day), within(place, "places__"))
    return Party.objects.filter(pk__in=contracts.values("company_id")).order_by("name")


def members_for_place(*, place: Place, role: str) -> QuerySet[Membership]:
    """Active members with a role responsible for this place or an ancestor (building leader, grid worker …)."""
    return (
        Membership.objects.filter(is_active=True, role=role, places__in=place.ancestor_ids())
        .select_related("user", "party")
        .distinct()
    )


def compounds_served_by(*, parties: list[Party]) -> list[Place]:
    """Compounds a set of parties serves (directly, by contract, or under a community/street they serve).

    At most 200, ordered by community, then as sorted in the directory.
    """
    ids: set[int] = set()
    for party in parties:
        ids |= party_place_ids(party=party)
    if not ids:
        return []
    places = Place.objects.filter(pk__in=ids)
    community_ids = {
        p.community_id for p in places if p.kind in (PlaceKind.COMMUNITY, PlaceKind.STREET) and p.community_id
    }
    compound_ids = {p.compound_id for p in places if p.compound_id}
    street_ids = {p.street_id for p in places if p.kind in (PlaceKind.STREET, PlaceKind.DISTRICT)}
    qs = Place.objects.filter(kind=PlaceKind.COMPOUND).filter(
        Q(pk__in=compound_ids) | Q(community_id__in=community_ids) | Q(street_id__in=street_ids)
    )
    return list(qs.order_by("community_id", "sort", "id")[:200])


@dataclass
class FilingArea:
    """One compound staff may file for, with its buildings and its spots (each spot's place loaded)."""

    compound: Place
    buildings: list[Place]
    spots: list[Spot]


def places_for_filing(
    *, parties: list[Party] | None = None, compound_ids: list[int] | None = None
) -> list[FilingArea]:
    """Places staff may file an appeal for: each compound the parties serve (or each of `compound_ids`),
    its buildings and spots (3 queries after the compounds)."""
    if compound_ids is not None:
        compounds = list(
            Place.objects.filter(pk__in=compound_ids, kind=PlaceKind.COMPOUND).order_by(
                "community_id", "sort", "id"
            )
        )
    else:
        compounds = compounds_served_by(parties=parties or [])
    if not compounds:
        return []
    compound_ids = [c.pk for c in compounds]
    buildings = list(
        Place.objects.filter(kind=PlaceKind.BUILDING, compound_id__in=compound_ids).order_by(
            "compound_id", "sort", "id"
        )
    )
    spots = list(
        Spot.objects.filter(compound_id__in=compound_ids)
        .select_related("place")
        .order_by("place__sort", "place_id", "kind", "name")
    )
    return [
        FilingArea(
            compound=c,
            buildings=[b for b in buildings if b.compound_id == c.pk],
            spots=[sp for sp in spots if sp.compound_id == c.pk],
        )
        for c in compounds
    ]


HOUSEHOLD_RELATED = ("compound", "building", "unit")


def households_search(*, compound_ids: list[int], term: str, within: Q | None = None) -> list[Place]:
    """Households in these compounds whose room number is the last word of `term` ("501", "3号楼 501",
    "知春东里 3号楼 2单元 501"); earlier words narrow by compound, building or unit name. At most 20."""
    if not compound_ids or not term:
        return []
    *where, room = term.split()
    qs = Place.objects.filter(kind=PlaceKind.HOUSEHOLD, compound_id__in=compound_ids, name=room)
    if within is not None:  # the searcher's own scope inside those compounds (a volunteer's places)
        qs = qs.filter(within)
    for part in where:
        qs = qs.filter(
            Q(compound__name__contains=part) | Q(building__name__contains=part) | Q(unit__name__contains=part)
        )
    return list(qs.select_related(*HOUSEHOLD_RELATED).order_by("compound_id", "building_id", "unit_id")[:20])


def household_in(*, compound_ids: list[int], household_id: int, within: Q | None = None) -> Place | None:
    """The household with this id if it lies in one of these compounds (and `within`), else None."""
    return (
        Place.objects.filter(pk=household_id, kind=PlaceKind.HOUSEHOLD, compound_id__in=compound_ids)
        .filter(within if within is not None else Q())
        .select_related(*HOUSEHOLD_RELATED)
        .first()
    )


__all__ = [
    "FilingArea",
    "Role",
    "compounds_served_by",
    "contracts_active_on",
    "household_in",
    "households_search",
    "members_for_place",
    "parties_serving",
    "party_place_ids",
    "party_serving",
    "place_within",
    "places_for_filing",
    "places_under",
    "property_companies_in",
    "property_company_for",
    "within",
]


# ---------------------------------------------------------------- nearest first (street-scoped choices)

_LEVELS_DEEPEST_FIRST = ("unit", "building", "compound", "grid", "community", "street", "district")
_LEVEL_RANK = {name: len(_LEVELS_DEEPEST_FIRST) - i for i, name in enumerate(_LEVELS_DEEPEST_FIRST)}
_STREET_RANK = _LEVEL_RANK["street"]


@dataclass
class Nearest:
    """Parties split for a chooser: `near` (they cover the place or work in its street), nearest first;
    `others` (another street), shown behind a "其他街道" choice only where the caller's rule allows."""

    near: list[Party]
    others: list[Party]

    @property
    def all(self) -> list[Party]:
        return self.near + self.others


def _closeness(place: Place, anchor: dict) -> tuple[bool, int]:
    """(near?, depth of the deepest common ancestor). An anchor that is the place or one of its
    ancestors covers it (a district department covers every street); otherwise it is near when the two
    share a street."""
    covers = anchor["id"] in place.ancestor_ids()
    for name in _LEVELS_DEEPEST_FIRST:
        mine = getattr(place, f"{name}_id")
        if mine and anchor[f"{name}_id"] == mine:
            rank = _LEVEL_RANK[name]
            return covers or rank >= _STREET_RANK, rank
    return covers, 0


def parties_nearest(*, place: Place, parties) -> Nearest:
    """The one ordering of every party chooser (helper company, whistle departments, 物业之窗): parties
    covering `place` or working in its street first, the closest (same building, compound, community)
    first, then by name; parties of other streets apart. Three queries whatever the number of parties."""
    parties = list(parties)
    if not parties:
        return Nearest(near=[], others=[])
    ids = [p.pk for p in parties]
    cols = ["id", *(f"{name}_id" for name in _LEVELS_DEEPEST_FIRST)]
    anchors: dict[int, list[dict]] = {pid: [] for pid in ids}
    rows = list(Place.objects.filter(served_by__party_id__in=ids).values("served_by__party_id", *cols))
    contract_rows = ServiceContract.objects.filter(contracts_active_on(), company_id__in=ids).values(
        "company_id", *(f"places__{c}" for c in cols)
    )
    rows += [
        {"served_by__party_id": r["company_id"], **{c: r[f"places__{c}"] for c in cols}}
        for r in contract_rows
        if r["places__id"]
    ]
    home_ids = {p.home_id for p in parties if p.home_id}
    homes = {r["id"]: r for r in Place.objects.filter(pk__in=home_ids).values(*cols)} if home_ids else {}
    for r in rows:
        anchors[r.pop("served_by__party_id")].append(r)
    for p in parties:
        if p.home_id in homes:
            anchors[p.pk].append(homes[p.home_id])
    scored = []
    for p in parties:
        best = max((_closeness(place, a) for a in anchors[p.pk]), default=(False, 0))
        scored.append((not best[0], -best[1], p.name, p.pk, p))
    scored.sort(key=lambda s: s[:4])
    return Nearest(near=[s[4] for s in scored if not s[0]], others=[s[4] for s in scored if s[0]])
