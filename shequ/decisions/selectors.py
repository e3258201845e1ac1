"""Reads of the register and of decisions, each with its permission check.

- A draft is seen only by its organiser; every other decision is public: anyone sees the proposal, the
  turnout while voting runs (never the running result) and the counts once closed.
- The per-unit ballot list (who voted how) is for the owners of the compound (owners' right to know,
  Civil Code art. 281/282 spirit; SPC interpretation art. 13) and the organiser — never for the public.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from shequ.core.errors import Forbidden, NotFound
from shequ.decisions.models import (
    Ballot,
    Decision,
    DecisionStatus,
    ExclusiveUnit,
    Owner,
    Ownership,
    RollUnit,
    RollVoter,
)
from shequ.decisions.rules import acts_as_organiser, is_owner_in, organiser_parties
from shequ.decisions.voting import voter_of

DETAIL_RELATED = ("organiser", "compound", "compound__community")


def decisions_visible_to(*, user) -> QuerySet[Decision]:
    organised = [p.pk for p in organiser_parties(user=user)]
    q = ~Q(status=DecisionStatus.DRAFT)
    if organised:
        q |= Q(organiser_id__in=organised)
    return Decision.objects.filter(q).select_related(*DETAIL_RELATED).order_by("-created_at", "-id")


def access_decision(*, user, decision_id: int) -> Decision:
    decision = Decision.objects.select_related(*DETAIL_RELATED).filter(pk=decision_id).first()
    if decision is None or (
        decision.status == DecisionStatus.DRAFT
        and not (user.is_superuser or acts_as_organiser(user=user, party_id=decision.organiser_id))
    ):
        raise NotFound("没有找到这项表决。", "No such decision.")
    return decision


def access_decision_to_organise(*, user, decision_id: int) -> Decision:
    decision = access_decision(user=user, decision_id=decision_id)
    if not acts_as_organiser(user=user, party_id=decision.organiser_id):
        raise Forbidden("只有组织单位可以操作。", "Only the organiser may do this.", code="not_organiser")
    return decision


def may_see_ballots(*, user, decision: Decision) -> bool:
    """Owners of the compound and the organiser see the per-unit ballot list; the public only counts."""
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or acts_as_organiser(user=user, party_id=decision.organiser_id)
        or is_owner_in(user=user, compound_id=decision.compound_id)
    )


@dataclass
class UnitLine:
    """One row of the per-unit ballot list as shown: `ballot` only once the decision is closed (while
    voting runs, only whether the unit's voter has voted)."""

    label: str
    area: Decimal
    voter: str
    voted: bool
    ballot: Ballot | None


def ballot_list(*, user, decision: Decision) -> QuerySet[RollUnit]:
    """Every unit of the roll with its voter, in label order, as an ordered queryset (pages and the API
    page it by keyset; the export reads it whole): `voted` annotated, and once the decision is closed
    the ballot prefetched for the page's voters. Shown through `unit_lines`."""
    if not may_see_ballots(user=user, decision=decision):
        raise Forbidden(
            "逐户表决情况只对本小区业主公开。",
            "The per-unit ballot list is open to the compound's owners only.",
            code="owners_only",
        )
    cast_by_voter = Ballot.objects.filter(decision_id=OuterRef("decision_id"), voter_id=OuterRef("voter_id"))
    units = (
        RollUnit.objects.filter(decision=decision)
        .select_related("voter")
        .annotate(voted=Exists(cast_by_voter))
        .order_by("label", "id")
    )
    if decision.status == DecisionStatus.CLOSED:
        shown = Ballot.objects.filter(decision=decision)
        units = units.prefetch_related(Prefetch("voter__ballots", queryset=shown, to_attr="shown_ballots"))
    return units


def unit_lines(units: Iterable[RollUnit]) -> list[UnitLine]:
    """The rows of `ballot_list` (a page of them, or all for the export) as shown."""
    lines = []
    for u in units:
        shown = getattr(u.voter, "shown_ballots", None) or [None]
        voted = u.voted  # type: ignore[attr-defined]  # the Exists annotation of ballot_list
        lines.append(UnitLine(label=u.label, area=u.area, voter=u.voter.name, voted=voted, ballot=shown[0]))
    return lines


def my_ballot(*, user, decision: Decision) -> Ballot | None:
    voter = voter_of(user=user, decision=decision)
    return None if voter is None else Ballot.objects.filter(voter=voter).first()


def my_voter(*, user, decision: Decision) -> RollVoter | None:
    return voter_of(user=user, decision=decision)


def open_for_user(*, user) -> list[tuple[Decision, bool]]:
    """Decisions voting now in which the user is on the roll, with whether they have voted (home page)."""
    if not user.is_authenticated:
        return []
    voters = list(
        RollVoter.objects.filter(owner__user=user, decision__status=DecisionStatus.VOTING)
        .select_related("decision", "decision__compound")
        .order_by("decision__closes_at")[:5]
    )
    voted = set(Ballot.objects.filter(voter__in=voters).values_list("voter_id", flat=True))
    return [(v.decision, v.pk in voted) for v in voters]


def my_register(*, user) -> QuerySet[Ownership]:
    """What the register says about the user: each unit of each owner record linked to them, as an
    ordered queryset (pages and the API page it by keyset; only a page's rows are loaded)."""
    rows = Ownership.objects.select_related("unit", "owner", "unit__compound", "unit__building").order_by(
        "unit__compound_id", "unit__label", "id"
    )
    return rows.filter(owner__user=user) if user.is_authenticated else rows.none()


def co_owners(*, units: list[int]) -> dict[int, list[Ownership]]:
    out: dict[int, list[Ownership]] = {}
    for o in Ownership.objects.filter(unit_id__in=units).select_related("owner"):
        out.setdefault(o.unit_id, []).append(o)
    return out


def register_rows(*, compound_id: int) -> QuerySet[Ownership]:
    return (
        Ownership.objects.filter(unit__compound_id=compound_id)
        .select_related("unit", "unit__building", "unit__household", "unit__household__unit", "owner")
        .order_by("unit__label", "-is_representative", "owner__name")
    )


def register_summary(*, compound_id: int) -> dict:
    units = ExclusiveUnit.objects.filter(compound_id=compound_id)
    return {
        "units": units.count(),
        "owners": Owner.objects.filter(compound_id=compound_id, ownerships__isnull=False).distinct().count(),
        "linked": Owner.objects.filter(compound_id=compound_id, user__isnull=False).count(),
    }
