"""Who may organise, who may vote, who may see what — one place for the decisions, elections and funds apps."""

from __future__ import annotations

from django.db.models import Q

from shequ.accounts.models import Residency
from shequ.accounts.selectors import user_roles
from shequ.core.errors import Forbidden
from shequ.directory.models import Party, PartyKind, Place, Role
from shequ.directory.selectors import party_place_ids, place_within

# Parties that may organise owners' decisions and elections (DESIGN §1: 业主大会/业委会 are the
# "当家人"; the residents' committee, party organisation and street office guide and organise where there is
# no owners' committee yet — Civil Code art. 277).
ORGANISER_KINDS = frozenset(
    {
        PartyKind.OWNERS_ASSEMBLY,
        PartyKind.OWNERS_COMMITTEE,
        PartyKind.RESIDENTS_COMMITTEE,
        PartyKind.PARTY_ORG,
        PartyKind.STREET_OFFICE,
    }
)
# Roles that act for an organiser. Resident volunteers (building leaders, grid workers, volunteers) and
# observers never organise.
ORGANISER_ROLES = frozenset({Role.HEAD, Role.DEPUTY, Role.STAFF, Role.DISPATCHER, Role.MEMBER})
# Department roles that may approve a maintenance-fund application in the department's workbench.
DEPARTMENT_ROLES = frozenset({Role.HEAD, Role.DEPUTY, Role.STAFF, Role.DISPATCHER, Role.HANDLER})


def organiser_parties(*, user) -> list[Party]:
    """Parties the user may organise votes for."""
    if not user.is_authenticated:
        return []
    roles = user_roles(user=user)
    out: dict[int, Party] = {}
    for m in roles.memberships:
        if m.party.kind in ORGANISER_KINDS and m.role in ORGANISER_ROLES:
            out[m.party_id] = m.party
    return list(out.values())


def acts_as_organiser(*, user, party_id: int) -> bool:
    return any(p.pk == party_id for p in organiser_parties(user=user))


def check_organiser(*, user, party: Party, place: Place | None = None) -> None:
    """Forbidden unless the user organises for `party` and the party serves `place`."""
    if not acts_as_organiser(user=user, party_id=party.pk):
        raise Forbidden(
            "只有组织单位的工作人员可以进行此操作。",
            "Only the organising party's staff may do this.",
            code="not_organiser",
        )
    if place is not None and not place_within(place=place, ancestor_ids=party_place_ids(party=party)):
        raise Forbidden(
            "组织单位不负责这个小区。", "The organising party does not serve this place.", code="not_served"
        )


def department_parties(*, user) -> list[Party]:
    if not user.is_authenticated:
        return []
    roles = user_roles(user=user)
    return list(
        {
            m.party_id: m.party
            for m in roles.memberships
            if m.party.kind == PartyKind.DEPARTMENT and m.role in DEPARTMENT_ROLES
        }.values()
    )


def verified_owner_households(*, user, compound_id: int) -> list[Residency]:
    """The user's verified owner residencies in a compound (tenants and family members are never owners)."""
    roles = user_roles(user=user)
    return [
        r
        for r in roles.residencies
        if r.status == Residency.Status.VERIFIED
        and r.relation == Residency.Relation.OWNER
        and r.household.compound_id == compound_id
    ]


def check_may_vote_as_resident(*, user, compound_id: int) -> None:
    """Forbidden with the precise reason unless the user is a verified owner-resident of the compound."""
    if not user.is_authenticated:
        raise Forbidden("请先登录。", "Please log in.", code="login_required")
    if verified_owner_households(user=user, compound_id=compound_id):
        return
    roles = user_roles(user=user)
    here = [r for r in roles.residencies if r.household.compound_id == compound_id]
    if any(r.relation == Residency.Relation.TENANT for r in here):
        raise Forbidden(
            "租户不是业主，不能参加业主表决。", "Tenants are not owners and cannot vote.", code="tenant"
        )
    if any(r.status != Residency.Status.VERIFIED for r in here):
        raise Forbidden(
            "您的住户身份还没有认证，认证后才能投票。",
            "Your residence is not verified yet; only verified owners may vote.",
            code="unverified",
        )
    raise Forbidden(
        "业主名册上没有您，不能参加这次表决。", "You are not on the owners' register.", code="not_owner"
    )


def is_owner_in(*, user, compound_id: int) -> bool:
    return bool(user.is_authenticated and verified_owner_households(user=user, compound_id=compound_id))


def place_scope_q(*, place_ids: set[int], prefix: str = "") -> Q:
    q = Q(**{f"{prefix}id__in": place_ids})
    for column in ("community", "compound", "building"):
        q |= Q(**{f"{prefix}{column}_id__in": place_ids})
    return q
