"""What a user is to an appeal, and what that lets them see and do — the one home of these rules,
used by the pages, the API, the admin, commands and importers.

(Over 500 lines on purpose: the declared policy table and every function that reads it stay in one
module, so that a reader sees the whole access rule in one place and no second copy can grow apart.)

* `actor_capacity` — the capacities (reporter, responsible, dispatcher, supervisor, involved,
  system) a user has on one appeal, and the party they act for there;
* `ACTORS` — which capacities may perform each action; `allowed_actions` — the actions open now;
* `Viewer` / `viewer_for` — what a user may see: whole appeals (the querysets in
  `shequ.appeals.selectors` are built from it), internal events, real names and phones;
* `events_q` / `photos_q` / `may_add_photos` — which events and photos a user sees, who adds photos.

Visibility (contract):
* a resident sees the appeals they filed or follow, those of their household, and the public ones of
  their community (masked);
* staff (any role, observers included) of the responsible / first / helper party see them; staff of
  the dispatcher (residents' committee) and of the party it was escalated to, and of the party
  organisation / street office / 环物会 / residents' committee serving the place, see every
  non-consultation appeal there;
* consultations are visible only to the reporter's household and the consulted party.
Unmasked data (names, phones, household) only for the reporter's side and acting staff involved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q

from shequ.accounts.models import Residency
from shequ.accounts.selectors import Roles, user_roles
from shequ.appeals.models import Appeal, Kind, Source, Status
from shequ.appeals.transitions import TRANSITIONS
from shequ.directory.models import Membership, Party, PartyKind, PartyPlace, Place, PlaceKind, Role
from shequ.directory.selectors import compounds_served_by, party_place_ids, place_within

S = Status
SUPERVISING_KINDS = (PartyKind.PARTY_ORG, PartyKind.STREET_OFFICE, PartyKind.ENV_PROPERTY_COMMITTEE)
AREA_KINDS = (
    PartyKind.PARTY_ORG,
    PartyKind.STREET_OFFICE,
    PartyKind.ENV_PROPERTY_COMMITTEE,
    PartyKind.RESIDENTS_COMMITTEE,
)
# ---------------------------------------------------------------- the role policy (DESIGN §1)
#
# Declared once. ROLE_POLICY names the policy class of each membership role; POLICY says, for each
# class (and for residents, who hold no membership), which places it covers and what it may read and
# do there. The code below enforces it; the permission matrix (shequ/api/tests/test_matrix.py) is
# generated from POLICY, never from the code.
#
# Classes of membership:
#   "staff"     — acts for the party (capacities below) on the places it serves, unmasked;
#   "observer"  — sees what the party sees, masked, and never writes (no action, follow, sign-up …);
#   "volunteer" — a resident helping (楼组长 of a building, 网格员 of a grid, the 环物会's elected owner
#                 member of a compound): only in the places of their membership (Membership.places) —
#                 sees the public appeals there masked, follows them and files for residents who
#                 cannot (walk-in, phone); never dispatches, accepts, closes, merges, escalates,
#                 transfers or blows the whistle. A volunteer membership without places covers nothing;
#   "helper"    — a mutual-aid station's volunteer: works the station's own appeals (accept, return,
#                 pause, resume, reply, note, resolve — capacity "helper"), sees them masked, and
#                 like every volunteer never dispatches, closes, merges, escalates or transfers.
ROLE_POLICY: dict[str, str] = {
    Role.HEAD: "staff",
    Role.DEPUTY: "staff",
    Role.STAFF: "staff",
    Role.DISPATCHER: "staff",
    Role.HANDLER: "staff",
    Role.MANAGER: "staff",
    Role.DOCTOR: "staff",
    Role.POLICE_OFFICER: "staff",
    Role.MEMBER: "staff",  # except the 环物会's elected owners, below
    Role.BUILDING_LEADER: "volunteer",
    Role.GRID_WORKER: "volunteer",
    Role.VOLUNTEER: "volunteer",
    Role.OBSERVER: "observer",
}
# The 环物会's six elected owner members are residents (DESIGN §1), not staff of the committee.
VOLUNTEER_MEMBER_KINDS = frozenset({PartyKind.ENV_PROPERTY_COMMITTEE, PartyKind.MUTUAL_AID_STATION})

FULL, MASKED, NONE = "full", "masked", "none"
REPORTER_ACTIONS = frozenset({"reply", "confirm", "reopen", "rate"})
RESPONSIBLE_ACTIONS = frozenset(
    {"accept", "return", "transfer", "pause", "resume", "reply", "note", "resolve", "escalate"}
)
DISPATCHER_ACTIONS = frozenset(
    {"dispatch", "accept", "redispatch", "transfer", "reply", "note", "close", "merge", "escalate"}
)
SUPERVISOR_ACTIONS = frozenset({"transfer", "reply", "note", "escalate"})


@dataclass(frozen=True)
class Grant:
    """What a policy class may read and do on the appeals lying in one kind of place relative to the
    holder (see RELATIONS). `public`/`private`/`consult`: how it sees public appeals, non-public ones
    and consultations there (full, masked or none = not visible: 404); `actions`: the transitions it
    may take there at most (the appeal's status and routing decide which of them are open now)."""

    public: str = NONE
    private: str = NONE
    consult: str = NONE
    internal: bool = False  # internal events and the photos on them
    actions: frozenset[str] = frozenset()
    follow: bool = False
    file_for_others: bool = False  # file on behalf of a resident there (walk-in, phone, patrol)


# Where an appeal lies relative to the holder of a role:
#   own             — they filed it (residents) / it is in their home building;
#   same_building   — another household of their home building (for a volunteer: inside their
#                     building, grid or compound; for a party: a building it serves);
#   other_building  — elsewhere in the same community (for a volunteer: outside their places; for a
#                     property company: a building another company serves);
#   other_community — another community of the same street.
RELATIONS = ("own", "same_building", "other_building", "other_community")

NOTHING = Grant()
REPORTER = Grant(public=FULL, private=FULL, consult=FULL, actions=REPORTER_ACTIONS, follow=True)
NEIGHBOUR = Grant(public=MASKED, follow=True)
VOLUNTEER = Grant(public=MASKED, follow=True, file_for_others=True)
OBSERVING = Grant(public=MASKED, private=MASKED)
HANDLING = Grant(
    public=FULL, private=FULL, internal=True, actions=RESPONSIBLE_ACTIONS, follow=True, file_for_others=True
)
DISPATCHING = Grant(
    public=FULL,
    private=FULL,
    internal=True,
    actions=DISPATCHER_ACTIONS | RESPONSIBLE_ACTIONS,
    follow=True,
    file_for_others=True,
)
SUPERVISING = Grant(
    public=FULL,
    private=FULL,
    internal=True,
    actions=SUPERVISOR_ACTIONS | RESPONSIBLE_ACTIONS,
    follow=True,
    file_for_others=True,
)
CONSULTED = Grant(consult=FULL, internal=True, actions=RESPONSIBLE_ACTIONS, follow=True)


def _places(own: Grant, same: Grant, other: Grant, far: Grant) -> dict[str, Grant]:
    return dict(zip(RELATIONS, (own, same, other, far), strict=True))


# The policy table: class → relation → grant. Staff classes are "staff:<party kind>".
POLICY: dict[str, dict[str, Grant]] = {
    # A verified owner or tenant (votes differ, appeals do not); an unverified one sees the same, but
    # what they file stays theirs and the committee's until the household verifies them.
    "resident": _places(REPORTER, NEIGHBOUR, NEIGHBOUR, NOTHING),
    "volunteer": _places(VOLUNTEER, VOLUNTEER, NOTHING, NOTHING),
    "observer": _places(OBSERVING, OBSERVING, OBSERVING, OBSERVING),  # of a street office
    f"staff:{PartyKind.PROPERTY_COMPANY}": _places(HANDLING, HANDLING, NOTHING, NOTHING),
    f"staff:{PartyKind.RESIDENTS_COMMITTEE}": _places(DISPATCHING, DISPATCHING, DISPATCHING, NOTHING),
    f"staff:{PartyKind.PARTY_ORG}": _places(SUPERVISING, SUPERVISING, SUPERVISING, NOTHING),
    f"staff:{PartyKind.ENV_PROPERTY_COMMITTEE}": _places(SUPERVISING, SUPERVISING, SUPERVISING, NOTHING),
    f"staff:{PartyKind.STREET_OFFICE}": _places(SUPERVISING, SUPERVISING, SUPERVISING, SUPERVISING),
    # Consulted parties see the consultations put to them (and appeals routed to them) only.
    f"staff:{PartyKind.FAMILY_DOCTOR_TEAM}": _places(CONSULTED, CONSULTED, CONSULTED, NOTHING),
    f"staff:{PartyKind.POLICE_STATION}": _places(CONSULTED, CONSULTED, CONSULTED, NOTHING),
    # Departments, co-builders, owners' bodies and stations see only what is routed, escalated or
    # summoned to them — nothing by place.
    f"staff:{PartyKind.DEPARTMENT}": _places(NOTHING, NOTHING, NOTHING, NOTHING),
    f"staff:{PartyKind.CO_BUILDER}": _places(NOTHING, NOTHING, NOTHING, NOTHING),
    f"staff:{PartyKind.OWNERS_COMMITTEE}": _places(NOTHING, NOTHING, NOTHING, NOTHING),
    f"staff:{PartyKind.OWNERS_ASSEMBLY}": _places(NOTHING, NOTHING, NOTHING, NOTHING),
    f"staff:{PartyKind.MUTUAL_AID_STATION}": _places(NOTHING, NOTHING, NOTHING, NOTHING),
    "helper": _places(NOTHING, NOTHING, NOTHING, NOTHING),  # the station's own queue only
    "outsider": _places(NOTHING, NOTHING, NOTHING, NOTHING),
}


def role_policy(membership: Membership) -> str:
    """ "staff", "observer", "volunteer" or "helper" for one membership (the table above)."""
    if membership.role == Role.VOLUNTEER and membership.party.kind == PartyKind.MUTUAL_AID_STATION:
        return "helper"
    if membership.role == Role.MEMBER and membership.party.kind in VOLUNTEER_MEMBER_KINDS:
        return "volunteer"
    return ROLE_POLICY.get(membership.role, "volunteer")


def policy_class(membership: Membership) -> str:
    """The row of POLICY one membership falls under ("staff:property_company", "volunteer" …)."""
    kind = role_policy(membership)
    return f"staff:{membership.party.kind}" if kind == "staff" else kind


def acting_party_ids(roles: Roles) -> set[int]:
    """Parties a user acts for on appeals (staff roles only)."""
    return {m.party_id for m in roles.memberships if role_policy(m) == "staff"}


def helping_party_ids(roles: Roles) -> set[int]:
    """Mutual-aid stations whose appeals a volunteer works (capacity "helper")."""
    return {m.party_id for m in roles.memberships if role_policy(m) == "helper"}


def reading_party_ids(roles: Roles) -> set[int]:
    """Parties whose appeals a user sees as the party does (staff, observers, station helpers — its queue)."""
    return {m.party_id for m in roles.memberships if role_policy(m) != "volunteer"}


def volunteer_place_ids(roles: Roles) -> set[int]:
    """The buildings, grids and compounds a user looks after as a volunteer (their memberships' places)."""
    return {p.pk for m in roles.memberships if role_policy(m) == "volunteer" for p in m.places.all()}


def filing_party_ids(roles: Roles) -> set[int]:
    """Parties whose staff may file for a resident (walk-in, phone, patrol): staff memberships whose
    POLICY row grants `file_for_others` somewhere (not consulted parties, departments, stations …)."""
    return {
        m.party_id
        for m in roles.memberships
        if role_policy(m) == "staff"
        and any(g.file_for_others for g in POLICY.get(policy_class(m), POLICY["outsider"]).values())
    }


@dataclass
class StaffScope:
    """What the workbench shows and offers one user, derived from the role policy only: whose queue
    they read (staff, observers, station helpers), for whom they act, where they may file for a
    resident and look residents up (their filing parties' compounds; a volunteer's own places)."""

    reading: list[Party]  # parties whose queue they see
    acting_ids: set[int]  # parties they act for (policy class "staff")
    helping_ids: set[int]  # mutual-aid stations whose own appeals they work
    filing: list[Party]  # parties for which they file for residents
    volunteer_place_ids: set[int]  # buildings, grids, compounds they look after as volunteers
    _compounds: tuple[set[int], list[int]] | None = None  # (the filing parties' compounds, all)

    @property
    def is_open(self) -> bool:
        """May they open the workbench at all?"""
        return bool(self.reading or self.volunteer_place_ids)

    @property
    def can_act(self) -> bool:
        """May they act on the appeals in their queue (accept, reply …)? Not observers, not volunteers."""
        return bool(self.acting_ids or self.helping_ids)

    @property
    def may_file(self) -> bool:
        return bool(self.filing or self.volunteer_place_ids)

    def _load(self) -> tuple[set[int], list[int]]:
        if self._compounds is None:
            served = {c.pk for c in compounds_served_by(parties=self.filing)}
            near: set[int] = set()
            ids = self.volunteer_place_ids
            if ids:
                near = set(
                    Place.objects.filter(kind=PlaceKind.COMPOUND)
                    .filter(
                        Q(pk__in=ids)
                        | Q(grid_id__in=ids)
                        | Q(community_id__in=ids)
                        | Q(pk__in=Place.objects.filter(pk__in=ids).values("compound_id"))
                    )
                    .values_list("pk", flat=True)
                )
            self._compounds = (served, sorted(served | near))
        return self._compounds

    def compound_ids(self) -> list[int]:
        """Compounds where they may file and look residents up: every compound their filing parties
        serve, and each compound holding one of their volunteer places (narrowed by `covers`)."""
        return self._load()[1]

    def covers(self, place: Place) -> bool:
        """Is `place` theirs to file about: in a compound a filing party serves, or inside one of
        their volunteer places (the place's denormalised ancestors; no query once loaded)?"""
        served = self._load()[0]
        ancestors = set(place.ancestor_ids())
        return bool(served & ancestors) or bool(self.volunteer_place_ids & ancestors)

    def within_q(self, prefix: str) -> Q:
        """Rows whose place (`prefix`, e.g. "household__") `covers` accepts, for a queryset filter."""
        served = self._load()[0]
        ids = self.volunteer_place_ids
        q = Q(**{f"{prefix}compound_id__in": served}) if served else Q(pk__in=[])
        if ids:
            for column in ("id", "building_id", "grid_id", "compound_id", "community_id"):
                q |= Q(**{f"{prefix}{column}__in": ids})
        return q


def staff_scope(*, user: Any) -> StaffScope:
    """THE workbench scope of a user (cached on the user for the request), from `ROLE_POLICY`/`POLICY`:
    a volunteer membership (楼组长, 网格员, the 环物会's elected owner member) never makes its party
    theirs — only their own places."""
    cached = getattr(user, "_shequ_staff_scope", None)
    if cached is not None:
        return cached
    roles = user_roles(user=user)
    reading = reading_party_ids(roles)
    filing = filing_party_ids(roles)
    parties = {m.party_id: m.party for m in roles.memberships}
    scope = StaffScope(
        reading=[parties[i] for i in sorted(reading)],
        acting_ids=acting_party_ids(roles),
        helping_ids=helping_party_ids(roles),
        filing=[parties[i] for i in sorted(filing)],
        volunteer_place_ids=volunteer_place_ids(roles),
    )
    if getattr(user, "is_authenticated", False):
        user._shequ_staff_scope = scope
    return scope


def may_write(*, user: Any) -> bool:
    """Observers read and never write: no action, follow, sign-up, booking or post. False for a user
    whose every membership is an observer one and who lives nowhere verified."""
    if not getattr(user, "is_authenticated", False):
        return False
    return not user_roles(user=user).is_observer


def may_file_at(*, user: Any, place: Place) -> bool:
    """May this user file for someone else (walk-in, phone, patrol) about `place`? Staff on the places
    their party serves (a property company: its contracts); volunteers only in their own places."""
    roles = user_roles(user=user)
    ancestors = set(place.ancestor_ids())
    if volunteer_place_ids(roles) & ancestors:
        return True
    acting = filing_party_ids(roles)
    if not acting:
        return False
    if PartyPlace.objects.filter(party_id__in=acting, place_id__in=ancestors).exists():
        return True
    return any(
        place_within(place=place, ancestor_ids=party_place_ids(party=p))
        for p in Party.objects.filter(pk__in=acting, kind=PartyKind.PROPERTY_COMPANY)
    )


# Actions that may carry photos (both public: an internal note never carries one).
PHOTO_ACTIONS = frozenset({"resolve", "reply"})

# Who may perform each action. Capacities: reporter (the person who filed it, or for whom it was
# filed), responsible (acting staff of the current responsible party — for a property company only
# on places it serves), dispatcher (acting staff of the residents' committee that dispatches it),
# supervisor (acting staff of the party it was escalated to, or of the party organisation / street
# office / 环物会 serving the place), involved (acting staff of the first or helper party),
# system (actor None: sweepers and imports).
ACTORS: dict[str, frozenset[str]] = {
    "dispatch": frozenset({"dispatcher", "system"}),
    "accept": frozenset({"helper", "responsible"}),
    "return": frozenset({"helper", "responsible"}),
    "redispatch": frozenset({"dispatcher", "system"}),
    "transfer": frozenset({"responsible", "dispatcher", "supervisor"}),
    "pause": frozenset({"helper", "responsible"}),
    "resume": frozenset({"helper", "responsible"}),
    "reply": frozenset({"helper", "responsible", "dispatcher", "supervisor", "reporter"}),
    "note": frozenset({"helper", "responsible", "dispatcher", "supervisor", "involved", "system"}),
    "resolve": frozenset({"helper", "responsible"}),
    "confirm": frozenset({"reporter"}),
    "reopen": frozenset({"reporter"}),
    "rate": frozenset({"reporter"}),
    "close": frozenset({"dispatcher", "system"}),
    "merge": frozenset({"dispatcher"}),
    "escalate": frozenset({"responsible", "dispatcher", "supervisor", "system"}),
    "close_unrated": frozenset({"system"}),
    # the 环物会 only (the handler checks the supervising party is one); its own page in supervision
    "assign_helper": frozenset({"supervisor"}),
}
# Actions with a page of their own rather than a button among the appeal's actions.
OWN_PAGE_ACTIONS = frozenset({"close_unrated", "assign_helper"})
# ---------------------------------------------------------------- who is the actor to this appeal


@dataclass
class Capacity:
    """What one user is to one appeal, and for which party they act."""

    system: bool = False
    capacities: set[str] = field(default_factory=set)
    party: Party | None = None  # the party they act for here (for the event row)

    def has(self, names: Iterable[str]) -> bool:
        return bool(self.capacities & set(names))


def actor_capacity(*, appeal: Appeal, actor) -> Capacity:
    if actor is None:
        return Capacity(system=True, capacities={"system"})
    cap = Capacity()
    if appeal.reporter_id == actor.pk:
        cap.capacities.add("reporter")
    roles = user_roles(user=actor)
    acting = acting_party_ids(roles)
    if appeal.responsible_party_id is not None and appeal.responsible_party_id in helping_party_ids(roles):
        cap.capacities.add("helper")
        cap.party = appeal.responsible_party
    if not acting:
        return cap
    party = appeal.responsible_party
    if party is not None and party.pk in acting:
        if party.kind != PartyKind.PROPERTY_COMPANY or place_within(
            place=appeal.place, ancestor_ids=party_place_ids(party=party)
        ):
            cap.capacities.add("responsible")
            cap.party = party
    # A consultation is private to the household and the consulted party: the committee dispatches it
    # only while it sits in the committee's own queue.
    private = appeal.is_consultation and appeal.responsible_party_id != appeal.dispatcher_id
    if appeal.dispatcher_id in acting and not private:
        cap.capacities.add("dispatcher")
        cap.party = cap.party or appeal.dispatcher
    if appeal.escalated_to_id in acting and not appeal.is_consultation:
        cap.capacities.add("supervisor")
        cap.party = cap.party or appeal.escalated_to
    if {appeal.first_party_id, appeal.helper_party_id} & acting:
        cap.capacities.add("involved")
        cap.party = cap.party or (
            appeal.helper_party if appeal.helper_party_id in acting else appeal.first_party
        )
    if "supervisor" not in cap.capacities and not appeal.is_consultation:
        supervising = [
            m.party for m in roles.memberships if m.party_id in acting and m.party.kind in SUPERVISING_KINDS
        ]
        if supervising:
            hit = set(
                PartyPlace.objects.filter(
                    party__in=supervising, place_id__in=appeal.place.ancestor_ids()
                ).values_list("party_id", flat=True)
            )
            if hit:
                cap.capacities.add("supervisor")
                cap.party = cap.party or next(p for p in supervising if p.pk in hit)
    return cap


def allowed_actions(*, appeal: Appeal, actor) -> list[str]:
    """Actions this user may perform on the appeal now (for buttons and the API's `actions`)."""
    cap = actor_capacity(appeal=appeal, actor=actor)
    out = []
    for action, (sources, _target) in TRANSITIONS.items():
        if action in OWN_PAGE_ACTIONS or appeal.status not in sources or not cap.has(ACTORS[action]):
            continue
        if action == "return" and appeal.responsible_party_id == appeal.dispatcher_id:
            continue
        if action == "accept" and appeal.status == S.SUBMITTED and "dispatcher" not in cap.capacities:
            continue
        if action == "rate" and appeal.status == S.CLOSED and appeal.rated_at is not None:
            continue
        if action == "reopen" and appeal.status == S.CLOSED and appeal.closed_unrated:
            continue
        out.append(action)
    return out


# ---------------------------------------------------------------- who sees what


@dataclass
class Viewer:
    """Everything needed to decide visibility and masking for one user, loaded once per request."""

    user: AbstractBaseUser | AnonymousUser
    acting_party_ids: set[int] = field(default_factory=set)
    party_ids: set[int] = field(default_factory=set)  # every membership, observers included
    household_ids: set[int] = field(default_factory=set)  # verified households
    community_ids: set[int] = field(default_factory=set)  # communities the user lives in
    area_ids: set[int] = field(default_factory=set)  # places supervised by the user's parties
    acting_area_ids: set[int] = field(default_factory=set)
    volunteer_place_ids: set[int] = field(default_factory=set)  # a volunteer's building, grid, compound

    @property
    def is_authenticated(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    def reporter_side(self, appeal: Appeal) -> bool:
        uid = getattr(self.user, "pk", None)
        return uid is not None and (
            appeal.reporter_id == uid
            or appeal.filed_by_id == uid
            or appeal.household_id in self.household_ids
        )

    def _in_area(self, appeal: Appeal, ids: set[int]) -> bool:
        return not appeal.is_consultation and bool(
            {appeal.street_id, appeal.community_id, appeal.compound_id, appeal.building_id} & ids
        )

    def staff_of(self, appeal: Appeal, ids: set[int]) -> bool:
        direct = {appeal.responsible_party_id, appeal.first_party_id, appeal.helper_party_id}
        if not appeal.is_consultation:
            direct |= {appeal.dispatcher_id, appeal.escalated_to_id}
        direct.discard(None)
        return bool(direct & ids)

    def is_staff_for(self, appeal: Appeal) -> bool:
        """Acting staff involved in (or supervising) this appeal: sees internal events and real names."""
        return self.staff_of(appeal, self.acting_party_ids) or self._in_area(appeal, self.acting_area_ids)

    def sees_full(self, appeal: Appeal) -> bool:
        return self.reporter_side(appeal) or self.is_staff_for(appeal)


def viewer_for(*, user) -> Viewer:
    cached = getattr(user, "_shequ_appeal_viewer", None)
    if cached is not None:
        return cached
    viewer = Viewer(user=user)
    if getattr(user, "is_authenticated", False):
        roles = user_roles(user=user)
        viewer.acting_party_ids = acting_party_ids(roles)
        viewer.party_ids = reading_party_ids(roles)
        viewer.volunteer_place_ids = volunteer_place_ids(roles)
        viewer.household_ids = {h.pk for h in roles.verified_households}
        viewer.community_ids = {
            r.household.community_id
            for r in roles.residencies
            if r.status != "rejected" and r.household.community_id is not None
        }
        area_parties = {
            m.party_id: m.role
            for m in roles.memberships
            if m.party.kind in AREA_KINDS and m.party_id in viewer.party_ids
        }
        if area_parties:
            rows = PartyPlace.objects.filter(party_id__in=area_parties).values_list("party_id", "place_id")
            for party_id, place_id in rows:
                viewer.area_ids.add(place_id)
                if party_id in viewer.acting_party_ids:
                    viewer.acting_area_ids.add(place_id)
        user._shequ_appeal_viewer = viewer
    return viewer


# ---------------------------------------------------------------- the verified-reporter rule
#
# A "claim" is an appeal filed by the reporter themselves (the app, no staff filer) about a household
# where their residency is pending or rejected — someone who registered claiming a home the household
# has not verified (issue #9, finding 4). Until it verifies them a claim is theirs and the verifying
# committee's: filing puts it in the committee's dispatch queue (`files_a_claim`), the household's other
# residents, the public list, volunteers and supervising areas do not see it (`claim_q`), and no party
# is alerted (`claim_ids`). Staff filings for walk-in callers and patrols (filed_by, a staff source)
# are never claims, nor is the appeal of a verified resident. The three forms below are one rule.
CLAIM_STATUSES = (Residency.Status.PENDING, Residency.Status.REJECTED)


def claim_q(*, prefix: str = "") -> Q:
    """THE rule as a queryset filter (`prefix` reaches the appeal from another model, "appeal__").
    Querysets exclude it: `~claim_q()`. The EXISTS uses the residency's (user, household) unique index
    and is evaluated only for the self-filed rows the other filters keep."""
    unverified = Residency.objects.filter(
        user_id=OuterRef(f"{prefix}reporter_id"),
        household_id=OuterRef(f"{prefix}household_id"),
        status__in=CLAIM_STATUSES,
    )
    return Q(**{f"{prefix}filed_by__isnull": True, f"{prefix}source": Source.APP}) & Q(Exists(unverified))


def files_a_claim(*, reporter: Any, household: Place | None, filed_by: Any, source: str) -> bool:
    """The same rule at filing, from the reporter's roles the filing has already loaded (no query)."""
    if filed_by is not None or source != Source.APP or household is None:
        return False
    return any(
        r.household_id == household.pk and r.status in CLAIM_STATUSES
        for r in user_roles(user=reporter).residencies
    )


def claim_ids(appeals: Iterable[Appeal]) -> set[int]:
    """The same rule for a batch of appeals (the alerts' audience): the ids of the claims, one query
    (none when no appeal of the batch is self-filed about a household)."""
    rows = [a for a in appeals if a.filed_by_id is None and a.source == Source.APP and a.household_id]
    if not rows:
        return set()
    # Two IN lists, not an OR of one (user, household) pair per appeal (building that Q cost 0.2–0.4 s
    # for a sweep's 500 appeals); the pairs are matched below, so the extra rows read change nothing.
    pairs = set(
        Residency.objects.filter(
            user_id__in={a.reporter_id for a in rows},
            household_id__in={a.household_id for a in rows},
            status__in=CLAIM_STATUSES,
        ).values_list("user_id", "household_id")
    )
    return {a.pk for a in rows if (a.reporter_id, a.household_id) in pairs}


def volunteer_q(viewer: Viewer) -> Q:
    """The appeals a volunteer sees for their places (POLICY["volunteer"]): public ones, masked, in their
    building, grid or compound — not consultations, not private appeals."""
    ids = viewer.volunteer_place_ids
    if not ids:
        return Q(pk__in=[])
    return (
        Q(is_public=True)
        & ~Q(kind=Kind.CONSULT)
        & (Q(place_id__in=ids) | Q(building_id__in=ids) | Q(compound_id__in=ids) | Q(place__grid_id__in=ids))
        & ~claim_q()
    )


# ---------------------------------------------------------------- events and photos


def sees_internal_events(*, appeal: Appeal, user: Any) -> bool:
    """THE rule of which of an appeal's events a user sees: internal ones only for acting staff involved
    in (or supervising) the appeal; everyone else the public ones."""
    return viewer_for(user=user).is_staff_for(appeal)


def events_q(*, appeal: Appeal, user: Any) -> Q:
    """`sees_internal_events` as a filter of the appeal's events."""
    return Q() if sees_internal_events(appeal=appeal, user=user) else Q(is_public=True)


def photos_q(*, appeal: Appeal, user: Any) -> Q:
    """Which of an appeal's photos a user sees: a photo attached to an event is as internal as the
    event; one without an event (never written today) as public as the appeal."""
    if viewer_for(user=user).is_staff_for(appeal):
        return Q()
    return Q(event__isnull=True) | Q(event__is_public=True)


def may_add_photos(*, appeal: Appeal, user: Any) -> bool:
    """The reporter's side, and anyone who may act on the appeal now, may add photos to it."""
    return viewer_for(user=user).reporter_side(appeal) or bool(allowed_actions(appeal=appeal, actor=user))
