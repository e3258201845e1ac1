"""The choices the meeting pages offer (conveners, places, venue slots, parties, appeals): reads only."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from shequ.activities.models import ACTIVE_BOOKING, VenueSlot
from shequ.appeals.access import claim_q
from shequ.appeals.models import OPEN_STATUSES, Appeal
from shequ.core import clock
from shequ.directory.models import Party, PartyKind, Place, PlaceKind
from shequ.directory.selectors import parties_serving, property_companies_in
from shequ.meetings import rules
from shequ.meetings.models import Decision, Meeting

LIST_LIMIT = 40
# Who can be invited or made responsible: the parties around a compound (DESIGN §1).
INVITABLE_KINDS = [
    PartyKind.PARTY_ORG,
    PartyKind.RESIDENTS_COMMITTEE,
    PartyKind.ENV_PROPERTY_COMMITTEE,
    PartyKind.OWNERS_COMMITTEE,
    PartyKind.OWNERS_ASSEMBLY,
    PartyKind.MUTUAL_AID_STATION,
    PartyKind.DEPARTMENT,
    PartyKind.CO_BUILDER,
    PartyKind.POLICE_STATION,
    PartyKind.FAMILY_DOCTOR_TEAM,
    PartyKind.STREET_OFFICE,
]


def convening_choices(*, user) -> list[Party]:
    return rules.convening_parties(user=user)


def place_choices(*, party: Party) -> list[Place]:
    """The community(ies) and compounds a convener serves."""
    served = list(Place.objects.filter(served_by__party=party))
    out: dict[int, Place] = {}
    for place in served:
        if place.kind in (PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.GRID):
            out[place.pk] = place
        if place.kind == PlaceKind.COMMUNITY:
            for compound in Place.objects.filter(community=place, kind=PlaceKind.COMPOUND).order_by(
                "sort", "id"
            ):
                out[compound.pk] = compound
    return list(out.values())


def slot_choices(*, place: Place | None) -> list[VenueSlot]:
    """Free venue slots ahead in the place's community (booking one holds it for the meeting)."""
    if place is None or place.community_id is None:
        return []
    return list(
        VenueSlot.objects.filter(
            venue__community_id=place.community_id, venue__is_active=True, starts_at__gt=clock.now()
        )
        .exclude(bookings__status__in=ACTIVE_BOOKING)
        .select_related("venue")
        .order_by("starts_at", "id")[:LIST_LIMIT]
    )


def invitable_parties(*, place: Place | None, convener: Party | None) -> list[Party]:
    if place is None:
        return []
    parties = list(
        parties_serving(place=place, kinds=[str(k) for k in INVITABLE_KINDS]).order_by("kind", "name")
    )
    parties += list(property_companies_in(place=place))
    if place.district_id:
        parties += list(
            Party.objects.filter(
                is_active=True, kind=PartyKind.DEPARTMENT, served__place_id=place.district_id
            )
        )
    seen: dict[int, Party] = {}
    for p in parties:
        if convener is None or p.pk != convener.pk:
            seen.setdefault(p.pk, p)
    return list(seen.values())


def parties_by_ids(*, place: Place, ids: Iterable[int], include: Iterable[Party] = ()) -> list[Party]:
    """The chosen parties, limited to those the page offered (never an arbitrary id)."""
    allowed = {p.pk: p for p in invitable_parties(place=place, convener=None)}
    for p in include:
        allowed[p.pk] = p
    return [allowed[i] for i in dict.fromkeys(ids) if i in allowed]


def appeal_choices(*, place: Place | None, ids: Iterable[int] | None = None) -> list[Appeal]:
    """Open public appeals of the place (to put on the agenda)."""
    if place is None:
        return []
    if place.kind == PlaceKind.COMPOUND:
        where = Q(compound_id=place.pk)
    elif place.kind == PlaceKind.BUILDING:
        where = Q(building_id=place.pk)
    else:
        where = Q(community_id=place.community_id or place.pk)
    qs = (
        Appeal.objects.filter(where)
        .filter(status__in=list(OPEN_STATUSES), is_public=True)
        .exclude(claim_q())  # not an unverified claimant's appeal (the verified-reporter rule)
        .exclude(category__is_consultation=True)
        .exclude(kind="consult")
        .select_related("category")
        .order_by("-created_at")
    )
    if ids is not None:
        return list(qs.filter(pk__in=list(ids)))
    return list(qs[:LIST_LIMIT])


def decision_or_none(*, meeting: Meeting, decision_id: int | None) -> Decision | None:
    if decision_id is None:
        return None
    return Decision.objects.filter(meeting=meeting, pk=decision_id).first()
