"""Who is what to a station (one place, used by services, selectors, pages and the API)."""

from __future__ import annotations

from shequ.accounts.selectors import user_roles
from shequ.directory.models import Party, PartyKind, Role
from shequ.stations.models import Volunteer

# Station staff run the station (its head and staff); volunteers are residents, not staff.
STATION_STAFF_ROLES = frozenset({Role.HEAD, Role.DEPUTY, Role.STAFF, Role.DISPATCHER})
PARTY_ORG_ROLES = frozenset({Role.HEAD, Role.DEPUTY, Role.STAFF})
COURSE_PROVIDER_KINDS = frozenset({PartyKind.STREET_OFFICE, PartyKind.CO_BUILDER, PartyKind.PARTY_ORG})


def _acting(user, party_id: int, roles: frozenset[str]) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return any(m.party_id == party_id and m.role in roles for m in user_roles(user=user).memberships)


def is_station_staff(*, user, station: Party) -> bool:
    return _acting(user, station.pk, STATION_STAFF_ROLES)


def active_volunteer(*, user, station: Party) -> Volunteer | None:
    if user is None or not user.is_authenticated:
        return None
    return Volunteer.objects.filter(station=station, user=user, is_active=True).first()


def may_see_needs(*, user, station: Party) -> bool:
    """A station's queue: its active volunteers and its staff — nobody else (not another station's)."""
    return (
        is_station_staff(user=user, station=station)
        or active_volunteer(user=user, station=station) is not None
    )


def is_party_org_officer(*, user, party_org: Party) -> bool:
    return party_org.kind == PartyKind.PARTY_ORG and _acting(user, party_org.pk, PARTY_ORG_ROLES)


def course_provider_parties(*, user) -> list[Party]:
    if user is None or not user.is_authenticated:
        return []
    return [
        m.party
        for m in user_roles(user=user).memberships
        if m.party.kind in COURSE_PROVIDER_KINDS and m.role in STATION_STAFF_ROLES
    ]
