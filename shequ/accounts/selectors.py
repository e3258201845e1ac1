"""Reads about people: who they are, what they may do, where they live."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from shequ.accounts.models import Residency, User
from shequ.core.errors import Forbidden, NotFound
from shequ.directory.models import ACTING_ROLES, Membership, PartyKind, PartyPlace, Place


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
            "household",
            "household__parent",
            "household__unit",
            "household__building",
            "household__compound",
            "household__community",
        )
    )
    roles = Roles(memberships=memberships, residencies=residencies)
    user._shequ_roles = roles  # type: ignore[attr-defined]
    return roles


def household_label(place: Place | None) -> str:
    """ "希格玛社区 知春里小区 5号楼 2单元 301" from the denormalised ancestors (no tree walk when the
    ancestors were loaded with select_related, as user_roles() does)."""
    if place is None:
        return ""
    parts = []
    for column in ("community", "compound", "building", "unit"):
        if getattr(place, f"{column}_id") and getattr(place, f"{column}_id") != place.pk:
            parts.append(getattr(place, column).name)
    parts.append(place.name)
    return " ".join(parts)


def primary_household(*, user: User):
    """The household a resident acts from: the first verified one, else the first pending one."""
    roles = user_roles(user=user)
    verified = roles.verified_households
    if verified:
        return verified[0]
    pending = [r.household for r in roles.residencies if r.status == Residency.Status.PENDING]
    return pending[0] if pending else None


def residents_search(*, compound_ids: list[int], term: str, within: Q | None = None) -> list[Residency]:
    """Residencies (not rejected, active users) in these compounds (and `within`: the searcher's own scope,
    e.g. a volunteer's building) whose phone starts with `term` (all digits) or whose real name contains
    it, by name; at most 20, with user and household loaded."""
    term = term.strip()
    if not term or not compound_ids:
        return []
    qs = (
        Residency.objects.filter(household__compound_id__in=compound_ids, user__is_active=True)
        .exclude(status=Residency.Status.REJECTED)
        .select_related("user", "household", "household__compound", "household__building", "household__unit")
        .order_by("user__real_name", "id")
    )
    if within is not None:
        qs = qs.filter(within)
    qs = (
        qs.filter(user__phone__startswith=term)
        if term.isdigit()
        else qs.filter(user__real_name__contains=term)
    )
    return list(qs[:20])


# --- verification ------------------------------------------------------------------------------------

# Residents'-committee roles that may verify residents (building leaders and volunteers may not).
VERIFIER_ROLES = frozenset({"head", "deputy", "staff", "dispatcher"})


def _rc_served_place_ids(*, user: User) -> set[int]:
    """Places served by the residents' committees the user may verify for."""

    roles = user_roles(user=user)
    party_ids = {
        m.party_id
        for m in roles.memberships
        if m.party.kind == PartyKind.RESIDENTS_COMMITTEE and m.role in VERIFIER_ROLES
    }
    if not party_ids:
        return set()
    return set(PartyPlace.objects.filter(party_id__in=party_ids).values_list("place_id", flat=True))


def _under_any(prefix: str, place_ids: set[int]) -> Q:

    q = Q(**{f"{prefix}id__in": place_ids})
    for column in ("district", "street", "community", "grid", "compound", "building", "unit"):
        q |= Q(**{f"{prefix}{column}_id__in": place_ids})
    return q


def owner_household_ids(*, user: User) -> set[int]:
    roles = user_roles(user=user)
    return {
        r.household_id
        for r in roles.residencies
        if r.status == Residency.Status.VERIFIED and r.relation == Residency.Relation.OWNER
    }


def verify_reason(*, user: User, residency: Residency) -> str | None:
    """Why `user` may verify `residency` ("committee", "owner", "admin"), or None when they may not."""
    if not user.is_authenticated or residency.user_id == user.pk:
        return None
    if user.is_superuser:
        return "admin"
    served = _rc_served_place_ids(user=user)
    if served and set(residency.household.ancestor_ids()) & served:
        return "committee"
    if residency.household_id in owner_household_ids(user=user):
        return "owner"
    return None


def is_committee_verifier(*, user: User) -> bool:
    return bool(_rc_served_place_ids(user=user))


def can_verify_anyone(*, user: User) -> bool:
    """Does the user have a verification queue at all (committee staff or a verified owner)?"""
    return bool(_rc_served_place_ids(user=user) or owner_household_ids(user=user))


def pending_residencies_for(*, user: User) -> QuerySet[Residency]:
    """The verification queue: pending residencies this user may verify, oldest first."""
    served = _rc_served_place_ids(user=user)
    owned = owner_household_ids(user=user)
    if not served and not owned:
        return Residency.objects.none().order_by("created_at", "id")

    scope = Q(household_id__in=owned)
    if served:
        scope |= _under_any("household__", served)
    return (
        Residency.objects.filter(scope, status=Residency.Status.PENDING)
        .exclude(user=user)
        .select_related(
            "user",
            "household",
            "household__unit",
            "household__building",
            "household__compound",
            "household__community",
        )
        .order_by("created_at", "id")
    )


def access_pending_residency(*, user: User, residency_id: int) -> Residency:
    """A residency the user may decide on; NotFound for anything else (never reveal others' data).

    Whether it is still pending is checked by the services (409 `already_decided`)."""

    residency = Residency.objects.select_related("user", "household").filter(pk=residency_id).first()
    if residency is None or verify_reason(user=user, residency=residency) is None:
        raise NotFound("没有找到这条认证申请。", "No such verification request.")
    if user_roles(user=user).is_observer:
        raise Forbidden("观察员只能查看，不能操作。", "Observers may read but not act.", code="observer")
    return residency


def access_resettable_user(*, actor: User, phone: str) -> User:
    """A resident whose password `actor` may reset: committee staff for residents of their community
    (any household status), superusers for anyone. NotFound otherwise, so phones cannot be probed."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    user = User.objects.filter(phone=digits).first() if digits else None
    if user is not None and user.pk != actor.pk and not user.is_superuser:
        if actor.is_superuser:
            return user
        served = _rc_served_place_ids(user=actor)
        if served and Residency.objects.filter(_under_any("household__", served), user=user).exists():
            return user
    raise NotFound(
        "在您负责的社区里没有找到这个手机号的住户。",
        "No resident with this phone number in your community.",
        code="resident_not_found",
    )


# --- choosing a household (registration) -------------------------------------------------------------

CHOOSER_LEVELS = ("street", "community", "compound", "building", "unit", "household")


def place_choices(*, selected: dict[str, int | None]) -> tuple[dict[str, list], dict[str, int | None]]:
    """Options for each level of the household chooser given what is selected so far.

    Returns (options per level, the consistent selection). A selection that does not belong to its
    parent is dropped along with everything below it; a level with a single option (above the
    household) is chosen for the resident so they do not have to.
    """

    options: dict[str, list] = {level: [] for level in CHOOSER_LEVELS}
    chosen: dict[str, int | None] = {level: None for level in CHOOSER_LEVELS}
    parent_filter: dict | None = {}
    parent_level: str | None = None
    for level in CHOOSER_LEVELS:
        if parent_filter is None:
            break
        qs = Place.objects.filter(kind=level, **parent_filter)
        if level == "household" and parent_level == "building":
            qs = qs.filter(unit__isnull=True)
        rows = list(qs.order_by("sort", "name", "id").values_list("id", "name"))
        if level == "unit" and not rows:
            # Some buildings have no units: households hang straight off the building.
            continue
        options[level] = rows
        ids = {pk for pk, _ in rows}
        value = selected.get(level)
        if value not in ids:
            # Chosen for them when there is only one, except the household itself: that they confirm.
            value = rows[0][0] if len(rows) == 1 and level != "household" else None
        chosen[level] = value
        parent_filter = {f"{level}_id": value} if value is not None and level != "household" else None
        parent_level = level
    return options, chosen
