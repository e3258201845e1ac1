"""Alerts by area (关注区域): a resident or staff member follows a building, compound or community and
hears of new appeals there, resolved ones and notices.

One rule, here, for the subscription page and every fan-out:

* **Who may watch a place** (`reaches`, `may_watch`): a building, compound or community that is one of
  the person's verified households' own building, compound or community, or that lies within what one
  of their memberships covers — a staff or observer membership covers its party's places (a property
  company's active contracts included) or, when the membership is tied to places, those places; a
  volunteer (building leader, grid worker …) covers their own places.
* **Who is told** (`area_recipients`): the watchers of the place and its ancestors who still may watch
  (a person who moved out or left the party hears nothing, without anyone deleting their watch), the
  nearest watched place naming the message; people the event tells anyway are left out.
* **What is never told**: private appeals, consultations, appeals of a reporter the household has not
  verified, private notices. The message names the place and the category; the appeal's page decides
  what the reader may open.

The messages go through `notify_many`, so each person's channel choices for the verbs `area.*` apply
(inbox always; SMS / e-mail when chosen on the 消息设置 page).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from shequ.accounts.models import Residency
from shequ.appeals.access import role_policy
from shequ.core.errors import Forbidden, Invalid, NotFound
from shequ.directory.models import (
    Membership,
    PartyKind,
    PartyPlace,
    Place,
    PlaceKind,
    ServiceContract,
)
from shequ.directory.selectors import contracts_active_on
from shequ.notifications.models import AreaWatch

WATCH_KINDS = (PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING)
TOPICS = ("new_appeals", "resolved", "notices")
CHOICES_LIMIT = 300


@dataclass
class Reach:
    """What one person's alerts may cover."""

    homes: set[int] = field(default_factory=set)  # their verified households' building, compound, community
    covered: set[int] = field(default_factory=set)  # places their memberships cover (and everything under)

    def allows(self, place: Place) -> bool:
        if place.kind not in WATCH_KINDS:
            return False
        return place.pk in self.homes or bool(set(place.ancestor_ids()) & self.covered)


def reaches(user_ids: Iterable[int]) -> dict[int, Reach]:
    """`Reach` of each user, read for a whole batch in four queries."""
    ids = sorted(set(user_ids))
    out: dict[int, Reach] = {uid: Reach() for uid in ids}
    if not ids:
        return out
    for uid, building, compound, community in Residency.objects.filter(
        user_id__in=ids, status=Residency.Status.VERIFIED
    ).values_list("user_id", "household__building_id", "household__compound_id", "household__community_id"):
        out[uid].homes |= {p for p in (building, compound, community) if p}
    memberships = list(
        Membership.objects.filter(user_id__in=ids, is_active=True, party__is_active=True)
        .select_related("party")
        .prefetch_related("places")
    )
    whole_party: dict[int, set[int]] = defaultdict(set)  # party → users covering all its places
    for m in memberships:
        own = {p.pk for p in m.places.all()}
        if role_policy(m) == "volunteer" or own:
            out[m.user_id].covered |= own
        else:
            whole_party[m.party_id].add(m.user_id)
    if whole_party:
        party_places: dict[int, set[int]] = defaultdict(set)
        for party_id, place_id in PartyPlace.objects.filter(party_id__in=whole_party).values_list(
            "party_id", "place_id"
        ):
            party_places[party_id].add(place_id)
        companies = [m.party_id for m in memberships if m.party.kind == PartyKind.PROPERTY_COMPANY]
        if companies:
            for company_id, place_id in ServiceContract.objects.filter(
                contracts_active_on(), company_id__in=companies
            ).values_list("company_id", "places"):
                if place_id:
                    party_places[company_id].add(place_id)
        for party_id, users in whole_party.items():
            for uid in users:
                out[uid].covered |= party_places.get(party_id, set())
    return out


def may_watch(*, user, place: Place) -> bool:
    if not user.is_authenticated:
        return False
    return reaches([user.pk])[user.pk].allows(place)


def watch_choices(*, user) -> list[Place]:
    """The places the subscription page offers (communities, then compounds, then buildings)."""
    reach = reaches([user.pk])[user.pk]
    q = Q(pk__in=reach.homes)
    if reach.covered:
        q |= (
            Q(pk__in=reach.covered)
            | Q(street_id__in=reach.covered)
            | Q(community_id__in=reach.covered)
            | Q(grid_id__in=reach.covered)
            | Q(compound_id__in=reach.covered)
        )
    rank = {PlaceKind.COMMUNITY: 0, PlaceKind.COMPOUND: 1, PlaceKind.BUILDING: 2}
    places = list(
        Place.objects.filter(q, kind__in=WATCH_KINDS)
        .select_related("compound")
        .order_by("community_id", "compound_id", "sort", "id")[:CHOICES_LIMIT]
    )
    return sorted(places, key=lambda p: (rank[PlaceKind(p.kind)], p.community_id or 0, p.compound_id or 0))


def watches_of(*, user) -> list[AreaWatch]:
    return list(AreaWatch.objects.filter(user=user).select_related("place", "place__compound"))


def area_watch_set(*, user, place_id: int | None, topics: Iterable[str]) -> AreaWatch:
    """Follow a place (or change what to hear about it). A retried request changes nothing more."""
    chosen = set(topics)
    if not chosen or not chosen <= set(TOPICS):
        raise Invalid(
            "请至少选择一项提醒内容（新诉求、已办结、新公告）。",
            "Choose at least one kind of alert (new appeals, resolved, notices).",
            code="topics_required",
            fields={"topics": "required"},
        )
    place = Place.objects.select_related("compound").filter(pk=place_id).first() if place_id else None
    if place is None:
        raise NotFound("没有找到这个地点。", "Place not found.", code="place_not_found")
    if not may_watch(user=user, place=place):
        raise Forbidden(
            "只能关注您住的或您负责的楼栋、小区和社区。",
            "You may follow only the buildings, compounds and communities you live in or look after.",
            code="watch_forbidden",
        )
    with transaction.atomic():
        watch, _created = AreaWatch.objects.update_or_create(
            user=user, place=place, defaults={t: t in chosen for t in TOPICS}
        )
    return watch


def area_watch_remove(*, user, watch_id: int) -> None:
    """Stop following. Removing a watch twice is not an error."""
    AreaWatch.objects.filter(pk=watch_id, user=user).delete()


def area_recipients(*, place: Place, topic: str, exclude: Iterable[int] = ()) -> dict[Place, set[int]]:
    """Who hears of something at `place` about `topic`: {nearest watched place: user ids}."""
    return area_recipients_many([(place, topic, set(exclude))]).get(0, {})


def area_recipients_many(
    items: list[tuple[Place, str, set[int]]],
) -> dict[int, dict[Place, set[int]]]:
    """`area_recipients` for a batch (item index → {nearest watched place: user ids}), in a few queries
    whatever the batch's size: one read of the watches and one `reaches` for all their users."""
    if not items:
        return {}
    ancestors = [place.ancestor_ids() for place, _t, _x in items]
    all_ids = {i for ids in ancestors for i in ids}
    watches = list(AreaWatch.objects.filter(place_id__in=all_ids).select_related("place", "place__compound"))
    reach = reaches(w.user_id for w in watches)
    out: dict[int, dict[Place, set[int]]] = {}
    for n, ((_place, topic, exclude), ids) in enumerate(zip(items, ancestors, strict=True)):
        depth = {pid: i for i, pid in enumerate(ids)}  # nearest first
        nearest: dict[int, AreaWatch] = {}
        for w in watches:
            if w.place_id not in depth or not getattr(w, topic) or w.user_id in exclude:
                continue
            if not reach[w.user_id].allows(w.place):
                continue
            best = nearest.get(w.user_id)
            if best is None or depth[w.place_id] < depth[best.place_id]:
                nearest[w.user_id] = w
        grouped: dict[Place, set[int]] = defaultdict(set)
        for uid, w in nearest.items():
            grouped[w.place].add(uid)
        if grouped:
            out[n] = dict(grouped)
    return out
