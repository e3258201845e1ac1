"""Who may do what with a meeting (one place, used by services, selectors, pages and the API)."""

from __future__ import annotations

from shequ.accounts.selectors import user_roles
from shequ.directory.models import Party, PartyKind, Role

# Parties that convene coordination meetings (DESIGN §5): typically the 环物会.
CONVENING_KINDS = frozenset(
    {
        PartyKind.ENV_PROPERTY_COMMITTEE,
        PartyKind.PARTY_ORG,
        PartyKind.RESIDENTS_COMMITTEE,
        PartyKind.OWNERS_COMMITTEE,
        PartyKind.STREET_OFFICE,
    }
)
# Who runs a meeting for the convener: its officers, not its elected or volunteer members.
MANAGING_ROLES = frozenset({Role.HEAD, Role.DEPUTY, Role.STAFF, Role.DISPATCHER})
# Who answers for an invited or responsible party: its staff (volunteer roles are residents, not staff).
STAFF_ROLES = frozenset(
    {
        Role.HEAD,
        Role.DEPUTY,
        Role.STAFF,
        Role.DISPATCHER,
        Role.HANDLER,
        Role.MANAGER,
        Role.POLICE_OFFICER,
        Role.DOCTOR,
    }
)


def staff_party_ids(*, user, roles: frozenset[str] = STAFF_ROLES) -> set[int]:
    """Parties the user acts for with one of `roles`."""
    if user is None or not user.is_authenticated:
        return set()
    return {m.party_id for m in user_roles(user=user).memberships if m.role in roles}


def managing_party_ids(*, user) -> set[int]:
    return staff_party_ids(user=user, roles=MANAGING_ROLES)


def convening_parties(*, user) -> list[Party]:
    """The parties this user may convene a meeting for."""
    if user is None or not user.is_authenticated:
        return []
    seen: dict[int, Party] = {}
    for m in user_roles(user=user).memberships:
        if m.role in MANAGING_ROLES and m.party.kind in CONVENING_KINDS:
            seen.setdefault(m.party_id, m.party)
    return list(seen.values())
