"""Whose figures a viewer may see (one rule for pages, API and exports).

A street leader (any member of a street office, observers included) sees the street's communities; a
community leader (a member of the community's party organisation, residents' committee or 环物会,
observers included — resident volunteers excluded) sees that community. Everyone else sees no
dashboard. The league table is limited to the streets of the viewer's area: where they work or live.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from shequ.accounts.selectors import user_roles
from shequ.core.errors import Forbidden, NotFound
from shequ.directory.models import Party, PartyKind, Place, PlaceKind, Role

LEADER_ROLES = frozenset({Role.HEAD, Role.DEPUTY, Role.STAFF, Role.DISPATCHER, Role.OBSERVER})
COMMUNITY_KINDS = frozenset(
    {PartyKind.PARTY_ORG, PartyKind.RESIDENTS_COMMITTEE, PartyKind.ENV_PROPERTY_COMMITTEE}
)


@dataclass
class Area:
    street_ids: set[int] = field(default_factory=set)  # streets led as a whole
    community_ids: set[int] = field(default_factory=set)  # every community visible (incl. the streets')

    @property
    def is_leader(self) -> bool:
        return bool(self.community_ids or self.street_ids)


def _places_of(party: Party) -> list[int]:
    ids = [p.place_id for p in party.served.all()]
    if party.home_id:
        ids.append(party.home_id)
    return ids


def _led_places(*, user) -> tuple[set[int], set[int]]:
    """The places of the street offices and of the community organisations the user leads."""
    roles = user_roles(user=user)
    street_place_ids: set[int] = set()
    community_place_ids: set[int] = set()
    for m in roles.memberships:
        if m.role not in LEADER_ROLES:
            continue
        if m.party.kind == PartyKind.STREET_OFFICE:
            street_place_ids.update(_places_of(m.party))
        elif m.party.kind in COMMUNITY_KINDS:
            community_place_ids.update(_places_of(m.party))
    return street_place_ids, community_place_ids


def _streets(street_place_ids: set[int]) -> QuerySet[Place]:
    """The streets a street office's places stand for (a street, or every street of a district)."""
    return Place.objects.filter(kind=PlaceKind.STREET).filter(
        Q(pk__in=street_place_ids) | Q(district_id__in=street_place_ids)
    )


def leader_area(*, user) -> Area:
    """The streets and communities whose dashboards the user may read (kept on the user object for the
    request, like `user_roles`: the page's picker and the check read it once)."""
    cached = getattr(user, "_shequ_area", None)
    if cached is not None:
        return cached
    street_place_ids, community_place_ids = _led_places(user=user)
    area = Area()
    if street_place_ids:
        area.street_ids = set(_streets(street_place_ids).values_list("pk", flat=True))
    if community_place_ids or area.street_ids:
        area.community_ids = set(
            Place.objects.filter(kind=PlaceKind.COMMUNITY)
            .filter(Q(pk__in=community_place_ids) | Q(street_id__in=area.street_ids))
            .values_list("pk", flat=True)
        )
    if getattr(user, "pk", None):
        user._shequ_area = area
    return area


def leader_communities(*, user) -> list[Place]:
    """The communities a leader may pick, by name: a community leader's own, a street leader's street's
    (the dashboards' rule, `leader_area`); nobody else has any."""
    ids = leader_area(user=user).community_ids
    if not ids:
        return []
    return list(Place.objects.filter(pk__in=sorted(ids)).only("pk", "name").order_by("name"))


def access_street(*, user, street_id: int | None) -> Place:
    """A street the user leads (the first one when no id is given): the streets read with the check."""
    street_place_ids, _communities = _led_places(user=user)
    streets = {p.pk: p for p in _streets(street_place_ids)} if street_place_ids else {}
    if not streets:
        raise Forbidden("只有街道领导可以查看街道数据。", "Only street leaders may see street figures.")
    sid = street_id if street_id is not None else min(streets)
    if sid not in streets:
        raise NotFound("没有找到这个街道。", "Street not found.")
    return streets[sid]


def access_community(*, user, community_id: int | None) -> Place:
    """A community the user leads (or one of their street's)."""
    area = leader_area(user=user)
    if not area.community_ids:
        raise Forbidden(
            "只有社区或街道领导可以查看社区数据。", "Only community or street leaders may see this."
        )
    cid = community_id if community_id is not None else min(area.community_ids)
    if cid not in area.community_ids:
        raise NotFound("没有找到这个社区。", "Community not found.")
    return Place.objects.select_related("street").get(pk=cid)


def viewer_street_ids(*, user) -> set[int] | None:
    """The streets of where a user works or lives (None: no place at all — they see every street)."""
    roles = user_roles(user=user)
    place_ids: set[int] = set()
    for m in roles.memberships:
        place_ids.update(_places_of(m.party))
        place_ids.update(p.pk for p in m.places.all())
    place_ids.update(r.household_id for r in roles.residencies)
    if not place_ids:
        return None
    places = Place.objects.filter(pk__in=place_ids).values("pk", "kind", "street_id", "district_id")
    streets: set[int] = set()
    districts: set[int] = set()
    for p in places:
        if p["kind"] == PlaceKind.STREET:
            streets.add(p["pk"])
        elif p["street_id"]:
            streets.add(p["street_id"])
        elif p["kind"] == PlaceKind.DISTRICT:
            districts.add(p["pk"])
    if districts:
        streets.update(
            Place.objects.filter(kind=PlaceKind.STREET, district_id__in=districts).values_list(
                "pk", flat=True
            )
        )
    return streets


def parties_in_streets(qs: QuerySet[Party], street_ids: set[int] | None) -> QuerySet[Party]:
    """Parties at home in, or serving a place in, one of the streets."""
    if street_ids is None:
        return qs
    ids = list(street_ids)
    return qs.filter(
        Q(home_id__in=ids)
        | Q(home__street_id__in=ids)
        | Q(served__place_id__in=ids)
        | Q(served__place__street_id__in=ids)
        | Q(contracts__places__street_id__in=ids)
    ).distinct()
