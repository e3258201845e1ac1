"""Reads about people: who they are, what they may do, where they live."""

from __future__ import annotations

from dataclasses import dataclass, field

from shequ.accounts.models import Residency, User
from shequ.directory.models import ACTING_ROLES, Membership


@dataclass
class Roles:
    """Everything a user is, loaded in two queries; attach once per request."""

    memberships: list[Membership] = field(default_factory=list)
    residencies: list[Residency] = field(default_factory=list)

    @property
    def party_ids(self) -> set[int]:
        return {m.party_id for m in self.memberships if m.role in ACTING_ROLES}

    @property
    def observed_party_ids(self) -> set[int]:
        return {m.party_id for m in self.memberships}

    @property
    def is_observer(self) -> bool:
        """Observers read but may not act: every membership is an observer one and they live nowhere verified."""
        return bool(self.memberships) and not self.party_ids and not self.verified_households

    @property
    def verified_households(self) -> list:
        return [r.household for r in self.residencies if r.status == Residency.Status.VERIFIED]

    def acts_for(self, party_id: int) -> bool:
        return party_id in self.party_ids

    def roles_in(self, party_id: int) -> set[str]:
        return {m.role for m in self.memberships if m.party_id == party_id}


def user_roles(*, user: User) -> Roles:
    if not user.is_authenticated:
        return Roles()
    cached = getattr(user, "_shequ_roles", None)
    if cached is not None:
        return cached
    memberships = list(
        Membership.objects.filter(user=user, is_active=True, party__is_active=True)
        .select_related("party")
        .prefetch_related("places")
    )
    residencies = list(
        Residency.objects.filter(user=user).select_related(
            "household", "household__parent", "household__building", "household__compound", "household__community"
        )
    )
    roles = Roles(memberships=memberships, residencies=residencies)
    user._shequ_roles = roles  # type: ignore[attr-defined]
    return roles


def primary_household(*, user: User):
    """The household a resident acts from: the first verified one, else the first pending one."""
    roles = user_roles(user=user)
    verified = roles.verified_households
    if verified:
        return verified[0]
    pending = [r.household for r in roles.residencies if r.status == Residency.Status.PENDING]
    return pending[0] if pending else None
