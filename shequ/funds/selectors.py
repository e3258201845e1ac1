"""Reads of the fund: who may see an application, household shares and cost splits by area (exact fen)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from shequ.core.errors import NotFound
from shequ.decisions.counting import centi
from shequ.decisions.models import ExclusiveUnit
from shequ.decisions.rules import acts_as_organiser, department_parties, is_owner_in, organiser_parties
from shequ.funds.models import ApplicationStatus, FundAccount, FundApplication


def split_fen(total_fen: int, weights: list[int]) -> list[int]:
    """Split `total_fen` in proportion to integer `weights`, exactly: floor shares, then the remaining fen to
    the largest remainders (ties to the earlier row), so the parts always add up to the total."""
    whole = sum(weights)
    if whole == 0:
        return [0 for _ in weights]
    parts = [total_fen * w // whole for w in weights]
    rest = total_fen - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(total_fen * weights[i] % whole), i))
    for i in order[:rest]:
        parts[i] += 1
    return parts


def _units_under(place_ids: list[int]) -> QuerySet[ExclusiveUnit]:
    return ExclusiveUnit.objects.filter(Q(compound_id__in=place_ids) | Q(building_id__in=place_ids))


def beneficiary_units(*, application: FundApplication) -> QuerySet[ExclusiveUnit]:
    ids = list(application.beneficiaries.values_list("pk", flat=True))
    return _units_under(ids or [application.account.place_id])


@dataclass
class Share:
    unit_id: int
    label: str
    area: str
    fen: int
    owner_user_ids: set[int]


def shares(*, units: QuerySet[ExclusiveUnit], total_fen: int) -> list[Share]:
    rows = list(units.order_by("label", "id").values_list("pk", "label", "area"))
    users: dict[int, set[int]] = {}
    for unit_id, user_id in units.filter(ownerships__owner__user__isnull=False).values_list(
        "pk", "ownerships__owner__user_id"
    ):
        users.setdefault(unit_id, set()).add(user_id)
    parts = split_fen(total_fen, [centi(a) for _p, _l, a in rows])
    return [
        Share(unit_id=p, label=label, area=str(a), fen=f, owner_user_ids=users.get(p, set()))
        for (p, label, a), f in zip(rows, parts, strict=True)
    ]


def account_shares(*, account: FundAccount) -> list[Share]:
    """Each household's share of the balance by exclusive area."""
    return shares(units=_units_under([account.place_id]), total_fen=account.balance_fen)


def cost_split(*, application: FundApplication) -> list[Share]:
    """The application's cost split by area over the households that benefit."""
    return shares(units=beneficiary_units(application=application), total_fen=application.amount_fen)


def may_see(*, user, application: FundApplication) -> bool:
    if not user.is_authenticated:
        return False
    compound_id = application.account.place.compound_id or application.account.place_id
    return bool(
        user.is_superuser
        or acts_as_organiser(user=user, party_id=application.organiser_id)
        or application.department_id in {p.pk for p in department_parties(user=user)}
        or is_owner_in(user=user, compound_id=compound_id)
    )


def access_application(*, user, application_id: int) -> FundApplication:
    application = (
        FundApplication.objects.select_related(
            "account", "account__place", "organiser", "department", "decision"
        )
        .filter(pk=application_id)
        .first()
    )
    if application is None or not may_see(user=user, application=application):
        raise NotFound("没有找到这份申请。", "No such application.")
    return application


def review_queue(*, user) -> QuerySet[FundApplication]:
    """待审批: applications submitted to the user's department(s)."""
    ids = [p.pk for p in department_parties(user=user)]
    return (
        FundApplication.objects.filter(department_id__in=ids, status=ApplicationStatus.SUBMITTED)
        .select_related("account__place", "organiser")
        .order_by("updated_at", "id")
    )


def accounts_for(*, user) -> QuerySet[FundAccount]:
    """The fund accounts of the user's own compound and building (owners), or those they organise for,
    as an ordered queryset (the API pages it by keyset)."""
    if not user.is_authenticated:
        return FundAccount.objects.none().order_by("place_id", "id")
    from shequ.accounts.selectors import user_roles  # noqa: PLC0415

    place_ids: set[int] = set()
    for r in user_roles(user=user).residencies:
        if r.status == "verified" and r.relation == "owner":
            place_ids |= {i for i in (r.household.compound_id, r.household.building_id) if i is not None}
    q = Q(place_id__in=place_ids)
    org = [p.pk for p in organiser_parties(user=user)]
    apps = FundApplication.objects.filter(organiser_id__in=org).values("account_id") if org else None
    if apps is not None:
        q |= Q(pk__in=apps)
    return FundAccount.objects.filter(q).select_related("place").order_by("place_id", "id")


def applications_for(*, account: FundAccount) -> QuerySet[FundApplication]:
    return account.applications.select_related("department", "organiser").order_by("-created_at")
