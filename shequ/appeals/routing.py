"""Routing (category × place → party) and the escalation ladder.

A rule names a category (or none = every category; a parent category covers its children), a place
scope (or none = everywhere; a community covers everything under it) and a target: a specific party,
or a party kind resolved to the nearest party of that kind serving the appeal's place (a property
company through its service contract). The most specific matching rule wins: exact category before
parent before catch-all, a place scope before everywhere, then lower priority number. A rule whose
target cannot be found for this place is skipped. When no rule gives a party, the category's
default party kind is tried, and finally the appeal waits in the residents' committee's dispatch
queue — never nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shequ.appeals.models import Appeal, Category, RoutingRule
from shequ.core import readcache
from shequ.core.errors import Invalid
from shequ.directory.models import Party, PartyKind, Place
from shequ.directory.selectors import party_serving


@dataclass(frozen=True)
class Route:
    party: Party  # who gets it
    dispatcher: Party  # the residents' committee whose queue catches anything unrouted or returned
    dispatched: bool  # False = waiting in the dispatcher's queue
    rule: RoutingRule | None = None


def dispatcher_for(*, place: Place) -> Party:
    """The residents' committee serving the place (its dispatch queue); the party organisation or
    street office stand in when a community has none."""
    for kind in (PartyKind.RESIDENTS_COMMITTEE, PartyKind.PARTY_ORG, PartyKind.STREET_OFFICE):
        party = party_serving(place=place, kind=kind)
        if party is not None:
            return party
    raise Invalid(
        "这个地点还没有居委会负责派单，请联系社区。",
        "No residents' committee serves this place yet.",
        code="no_dispatcher",
        fields={"place": "no_dispatcher"},
    )


def _target(rule: RoutingRule, place: Place) -> Party | None:
    if rule.party is not None:
        return rule.party if rule.party.is_active else None
    return party_serving(place=place, kind=rule.party_kind)


def _load_rules() -> list[RoutingRule]:
    return list(RoutingRule.objects.filter(is_active=True).select_related("party").order_by("id"))


# The active rules, read once for the process (`shequ.core.readcache`: a change is seen at once here,
# within its SECONDS in the other processes); shared by every request, never changed.
RULES = readcache.Table("appeals.routing_rules", load=_load_rules, models=(RoutingRule, Party, Category))


def matching_rules(*, category: Category, place: Place) -> list[RoutingRule]:
    category_ids = {category.pk, category.parent_id} - {None}
    depth = {pid: i for i, pid in enumerate(place.ancestor_ids())}
    rules = [
        rule
        for rule in RULES.get()
        if (rule.category_id is None or rule.category_id in category_ids)
        and (rule.place_id is None or rule.place_id in depth)
    ]

    def specificity(rule: RoutingRule) -> tuple:
        cat_rank = 0 if rule.category_id == category.pk else (1 if rule.category_id else 2)
        place_rank = depth.get(rule.place_id, 0) if rule.place_id else 99
        return (cat_rank, place_rank, rule.priority, rule.pk)

    return sorted(rules, key=specificity)


def route(*, category: Category, place: Place) -> Route:
    dispatcher = dispatcher_for(place=place)
    for rule in matching_rules(category=category, place=place):
        party = _target(rule, place)
        if party is not None:
            return Route(party=party, dispatcher=dispatcher, dispatched=True, rule=rule)
    for cat in (category, category.parent):
        if cat is not None and cat.default_party_kind:
            party = party_serving(place=place, kind=cat.default_party_kind)
            if party is not None:
                return Route(party=party, dispatcher=dispatcher, dispatched=True)
    return Route(party=dispatcher, dispatcher=dispatcher, dispatched=False)


# The ladder (DESIGN §3): responsible party → 环物会 (property matters) or residents' committee →
# community party organisation → street office.
LADDER_TOP = 3


def escalation_target(*, appeal: Appeal, level: int) -> Party | None:
    """The party an appeal reaches at `level` (1, 2, 3); None when the ladder has no such rung here."""
    return ladder_target(
        place=appeal.place,
        responsible=appeal.responsible_party,
        level=level,
        reached_id=appeal.escalated_to_id,
    )


def ladder_kinds(*, responsible_kind: str | None, level: int) -> list[str]:
    """The kinds of party tried, in order, at `level` above a party of `responsible_kind`."""
    if level <= 1:
        if responsible_kind == PartyKind.PROPERTY_COMPANY:
            return [PartyKind.ENV_PROPERTY_COMMITTEE, PartyKind.RESIDENTS_COMMITTEE]
        if responsible_kind == PartyKind.RESIDENTS_COMMITTEE:
            return [PartyKind.PARTY_ORG]
        return [PartyKind.RESIDENTS_COMMITTEE]
    if level == 2:
        return [PartyKind.PARTY_ORG, PartyKind.STREET_OFFICE]
    return [PartyKind.STREET_OFFICE]


def ladder_target(
    *, place: Place, responsible: Party | None, level: int, reached_id: int | None = None
) -> Party | None:
    """The ladder itself, for anything tracked like an appeal (a meeting's action item): the party at
    `level` above `responsible` for `place`; None when the ladder has no such rung here."""
    for kind in ladder_kinds(responsible_kind=getattr(responsible, "kind", None), level=level):
        target = party_serving(place=place, kind=kind)
        # A rung already reached is skipped, so each party is told once (a residents' committee's
        # appeal reaches the party organisation at level 1, and the street office next).
        if target is not None and target.pk not in (getattr(responsible, "pk", None), reached_id):
            return target
    return None


class Ladder:
    """`escalation_target` for a batch of appeals with one query: the ladder's rungs (committees, the
    party organisation, the street office) are parties serving a place or one of its ancestors, the
    nearest first — `party_serving`'s rule for every kind but a property company, which is never a rung."""

    KINDS = (
        PartyKind.ENV_PROPERTY_COMMITTEE,
        PartyKind.RESIDENTS_COMMITTEE,
        PartyKind.PARTY_ORG,
        PartyKind.STREET_OFFICE,
    )

    def __init__(self, places: Iterable[Place]) -> None:
        ids = {pid for place in places for pid in place.ancestor_ids()}
        self._serving: dict[tuple[int, str], int] = {}
        rows = (
            Party.objects.filter(is_active=True, kind__in=self.KINDS, served__place_id__in=ids)
            .order_by("id")
            .values_list("id", "kind", "served__place_id")
        )
        for party_id, kind, place_id in rows:
            self._serving.setdefault((place_id, kind), party_id)

    def serving(self, *, place: Place, kind: str) -> int | None:
        return next(
            (self._serving[(pid, kind)] for pid in place.ancestor_ids() if (pid, kind) in self._serving),
            None,
        )

    def next_rung(self, *, appeal: Appeal) -> tuple[int, int | None]:
        """(level, party id) of the appeal's next rung, skipping levels with no party here (as the
        `escalate` transition does); party None when the ladder has nothing above."""
        responsible = appeal.responsible_party
        level = appeal.escalation_level + 1
        while level <= LADDER_TOP:
            for kind in ladder_kinds(responsible_kind=getattr(responsible, "kind", None), level=level):
                target = self.serving(place=appeal.place, kind=kind)
                if target is not None and target not in (appeal.responsible_party_id, appeal.escalated_to_id):
                    return level, target
            level += 1
        return level, None
