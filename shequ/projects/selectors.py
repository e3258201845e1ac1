"""Reads of micro-projects. The public account is computed here and only here, summed in the
database by source (two aggregate queries, however many entries)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from shequ.accounts.selectors import user_roles
from shequ.core.errors import NotFound
from shequ.directory.models import Party, PartyPlace
from shequ.projects.models import Funding, FundingStatus, Milestone, Project, ProjectStatus, Source, Spending

ZERO = Decimal("0.00")
FEN = Decimal("0.01")


def _fen(value: Decimal | None) -> Decimal:
    """SQLite returns sums without their scale; every amount leaves here with exactly two decimals."""
    return (value or ZERO).quantize(FEN)


@dataclass(frozen=True)
class AccountLine:
    source: str
    label: str
    pledged: Decimal
    received: Decimal
    spent: Decimal

    @property
    def balance(self) -> Decimal:
        return self.received - self.spent


@dataclass(frozen=True)
class Account:
    lines: list[AccountLine]

    @property
    def pledged(self) -> Decimal:
        return sum((x.pledged for x in self.lines), ZERO)

    @property
    def received(self) -> Decimal:
        return sum((x.received for x in self.lines), ZERO)

    @property
    def spent(self) -> Decimal:
        return sum((x.spent for x in self.lines), ZERO)

    @property
    def balance(self) -> Decimal:
        return self.received - self.spent


def project_account(*, project: Project) -> Account:
    """Received by source, spent by source, balance = received − spent (all `Decimal`, in the database)."""
    funding = {
        row["source"]: row
        for row in Funding.objects.filter(project=project)
        .values("source")
        .annotate(
            pledged=Sum("amount"),
            received=Sum("amount", filter=Q(status=FundingStatus.RECEIVED)),
        )
    }
    spent = dict(
        Spending.objects.filter(project=project)
        .values("source")
        .annotate(s=Sum("amount"))
        .values_list("source", "s")
    )
    lines = []
    for source, label in Source.choices:
        f: Any = funding.get(source, {})
        lines.append(
            AccountLine(
                source=source,
                label=str(label),
                pledged=_fen(f.get("pledged")),
                received=_fen(f.get("received")),
                spent=_fen(spent.get(source)),
            )
        )
    return Account(lines=lines)


def projects_visible_to(*, user) -> QuerySet[Project]:
    """Public accounts: everyone signed in sees the projects of their homes' places and of the places
    their parties serve."""
    roles = user_roles(user=user)
    ids = {pid for h in roles.verified_households for pid in h.ancestor_ids()}
    ids |= set(
        PartyPlace.objects.filter(party_id__in=roles.observed_party_ids).values_list("place_id", flat=True)
    )
    q = (
        Q(place_id__in=ids)
        | Q(place__community_id__in=ids)
        | Q(place__street_id__in=ids)
        | Q(proposer_party_id__in=roles.observed_party_ids)
    )
    return Project.objects.filter(q).select_related("place", "proposer_party").distinct()


def access_project(*, user, project_id: int) -> Project:
    project = projects_visible_to(user=user).filter(pk=project_id).first()
    if project is None:
        raise NotFound("没有这个项目。", "No such project.")
    return project


PAGE_ENTRIES = 50  # the page shows the latest entries of each kind; the Excel account has them all


def project_entries(
    *, project: Project, limit: int | None = PAGE_ENTRIES
) -> tuple[list[Funding], list[Spending], list[Milestone]]:
    """Funding, spending and milestones, oldest first; with `limit`, only the latest `limit` of each."""

    def latest(qs, order: tuple[str, ...]) -> list:
        if limit is None:
            return list(qs.order_by(*order))
        return list(reversed(qs.order_by(*(f"-{o}" for o in order))[:limit]))

    return (
        latest(project.fundings.select_related("payer_party"), ("pledged_at", "id")),
        latest(project.spendings.all(), ("spent_on", "id")),
        latest(project.milestones.all(), ("at", "id")),
    )


def projects_of_party(*, party: Party) -> list[Project]:
    """Projects a party (a station) proposed — they count in its record."""
    return list(
        Project.objects.filter(proposer_party=party)
        .exclude(status=ProjectStatus.REJECTED)
        .order_by("-created_at")[:20]
    )
