"""Reads of supervision: the three rates (三率), escalated appeals for a level's workbench, whistles
and who came how fast, a department's summonses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from shequ.accounts.selectors import user_roles
from shequ.appeals.models import OPEN_STATUSES, Appeal, Rating
from shequ.core import clock
from shequ.core.errors import Invalid, NotFound
from shequ.directory.models import Party
from shequ.supervision.models import Summons, Whistle

DEFAULT_WEIGHTS = (0.30, 0.35, 0.35)
GOOD_RATINGS = (Rating.SATISFIED, Rating.BASICALLY)


def rate_weights() -> tuple[float, float, float]:
    weights = getattr(settings, "SHEQU_RATE_WEIGHTS", None) or DEFAULT_WEIGHTS
    return tuple(float(w) for w in weights)  # type: ignore[return-value]


@dataclass
class Rates:
    """A party's (or place's) three rates for a month (or all time). Rates are None without data."""

    key: int | None = None
    month: str | None = None
    dispatched: int = 0
    accepted_in_time: int = 0
    rated: int = 0
    solved: int = 0
    satisfied: int = 0  # 满意 + 基本满意
    weights: tuple[float, float, float] = field(default_factory=rate_weights)

    @property
    def response_rate(self) -> float | None:
        return self.accepted_in_time / self.dispatched if self.dispatched else None

    @property
    def resolution_rate(self) -> float | None:
        return self.solved / self.rated if self.rated else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def composite(self) -> float | None:
        """Weighted mean of the rates that have data (default weights 30/35/35)."""
        pairs = [
            (w, r)
            for w, r in zip(
                self.weights, (self.response_rate, self.resolution_rate, self.satisfaction_rate), strict=True
            )
            if r is not None
        ]
        total = sum(w for w, _ in pairs)
        return sum(w * r for w, r in pairs) / total if total else None

    @property
    def counts(self) -> dict[str, int]:
        return {
            "dispatched": self.dispatched,
            "accepted_in_time": self.accepted_in_time,
            "rated": self.rated,
            "solved": self.solved,
            "satisfied": self.satisfied,
        }

    def as_dict(self) -> dict:
        return {
            "month": self.month,
            "response_rate": self.response_rate,
            "resolution_rate": self.resolution_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "composite": self.composite,
            "counts": self.counts,
            "weights": list(self.weights),
        }


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """[start, end) of a "YYYY-MM" month in local time."""
    try:
        year, mon = (int(x) for x in month.split("-"))
        start = datetime(year, mon, 1, tzinfo=_tz())
    except (ValueError, TypeError):
        raise Invalid(
            "月份格式应为 YYYY-MM。",
            "month must be YYYY-MM.",
            code="month_invalid",
            fields={"month": "invalid"},
        )
    end = datetime(year + (mon == 12), 1 if mon == 12 else mon + 1, 1, tzinfo=_tz())
    return start, end


def current_month() -> str:
    return timezone.localtime(clock.now(), _tz()).strftime("%Y-%m")


def recent_months(n: int, *, upto: str | None = None) -> list[str]:
    """The last `n` months ending with `upto` (default: this month), oldest first."""
    start, _end = month_bounds(upto or current_month())
    out = []
    year, mon = start.year, start.month
    for _ in range(n):
        out.append(f"{year:04d}-{mon:02d}")
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return list(reversed(out))


def _accountable() -> Coalesce:
    # The first party stays accountable (首接负责), even after transfer, escalation or help.
    return Coalesce("first_party_id", "responsible_party_id")


def _rates_grouped(
    *,
    group: str,
    ids: list[int] | None,
    month: str | None,
    by_month: bool = False,
    months: list[str] | None = None,
    party_id: int | None = None,
) -> dict:
    """Two aggregate queries: response by dispatch time, resolution and satisfaction by rating time."""
    key = {"party": _accountable(), "compound": F("compound_id"), "community": F("community_id")}[group]
    base = Appeal.objects.annotate(gkey=key)
    if ids is not None:
        base = base.filter(gkey__in=ids)
    if party_id is not None:
        base = base.annotate(accountable=_accountable()).filter(accountable=party_id)
    disp = base.filter(dispatched_at__isnull=False)
    rated = base.filter(rating__isnull=False, rated_at__isnull=False)
    if month:
        start, end = month_bounds(month)
        disp = disp.filter(dispatched_at__gte=start, dispatched_at__lt=end)
        rated = rated.filter(rated_at__gte=start, rated_at__lt=end)
    elif months:
        start, _ = month_bounds(months[0])
        _, end = month_bounds(months[-1])
        disp = disp.filter(dispatched_at__gte=start, dispatched_at__lt=end)
        rated = rated.filter(rated_at__gte=start, rated_at__lt=end)
    disp_keys = ["gkey"]
    rated_keys = ["gkey"]
    if by_month:
        disp = disp.annotate(m=TruncMonth("dispatched_at", tzinfo=_tz()))
        rated = rated.annotate(m=TruncMonth("rated_at", tzinfo=_tz()))
        disp_keys.append("m")
        rated_keys.append("m")
    out: dict = {}

    def slot(row) -> Rates:
        m = row["m"].strftime("%Y-%m") if by_month and row.get("m") else month
        k = (row["gkey"], m) if by_month else row["gkey"]
        if k not in out:
            out[k] = Rates(key=row["gkey"], month=m)
        return out[k]

    for row in (
        disp.values(*disp_keys)
        .annotate(
            n=Count("id"),
            ok=Count("id", filter=Q(accepted_at__isnull=False, accepted_at__lte=F("accept_due_at"))),
        )
        .order_by()
    ):
        r = slot(row)
        r.dispatched, r.accepted_in_time = row["n"], row["ok"]
    for row in (
        rated.values(*rated_keys)
        .annotate(
            n=Count("id"),
            solved=Count("id", filter=Q(solved=True)),
            good=Count("id", filter=Q(rating__in=GOOD_RATINGS)),
        )
        .order_by()
    ):
        r = slot(row)
        r.rated, r.solved, r.satisfied = row["n"], row["solved"], row["good"]
    return out


def party_rates(*, party_ids, month: str | None = None) -> dict[int, Rates]:
    """The three rates of each party for a month ("YYYY-MM") or, with None, over all time.
    Response: accepted within the limit / dispatched (by dispatch time). Resolution: rated solved /
    rated; satisfaction: 满意 + 基本满意 / rated (by rating time). Appeals closed unrated count in
    neither. The first party is the one accountable."""
    ids = [int(p) for p in party_ids]
    found = _rates_grouped(group="party", ids=ids, month=month)
    return {pid: found.get(pid) or Rates(key=pid, month=month) for pid in ids}


def place_rates(
    *, place_ids, level: str = "compound", month: str | None = None, party_id: int | None = None
) -> dict[int, Rates]:
    """The three rates of appeals in each compound (or community) — of every party, or of one."""
    if level not in ("compound", "community"):
        raise Invalid(
            "地点层级只能是小区或社区。", "level must be compound or community.", code="level_invalid"
        )
    ids = [int(p) for p in place_ids]
    found = _rates_grouped(group=level, ids=ids, month=month, party_id=party_id)
    return {pid: found.get(pid) or Rates(key=pid, month=month) for pid in ids}


def party_rates_by_month(*, party_id: int, months: int = 6, upto: str | None = None) -> list[Rates]:
    """One Rates per month for the last `months` months (oldest first), in two queries."""
    names = recent_months(months, upto=upto)
    found = _rates_grouped(group="party", ids=[party_id], month=None, by_month=True, months=names)
    return [found.get((party_id, m)) or Rates(key=party_id, month=m) for m in names]


def party_league(
    *, kind: str, month: str | None = None, community_id: int | None = None
) -> list[tuple[Party, Rates]]:
    """Every active party of a kind with its rates, best composite first (no data last)."""
    parties = Party.objects.filter(kind=kind, is_active=True)
    if community_id:
        parties = parties.filter(Q(home_id=community_id) | Q(served__place_id=community_id)).distinct()
    parties = list(parties.order_by("name"))
    rates = party_rates(party_ids=[p.pk for p in parties], month=month)
    rows = [(p, rates[p.pk]) for p in parties]
    rows.sort(key=lambda pr: (pr[1].composite is None, -(pr[1].composite or 0), pr[0].name))
    return rows


def access_party(*, party_id: int) -> Party:
    party = Party.objects.select_related("home").filter(pk=party_id, is_active=True).first()
    if party is None:
        raise NotFound("没有找到这个主体。", "Party not found.")
    return party


# ---------------------------------------------------------------- escalations


def escalated_appeals(*, user, open_only: bool = True) -> QuerySet[Appeal]:
    """Appeals escalated to a party the user acts for — each ladder level's queue for its workbench."""
    ids = user_roles(user=user).party_ids
    if not ids:
        return Appeal.objects.none()
    qs = Appeal.objects.filter(escalated_to_id__in=ids, escalation_level__gt=0).exclude(kind="consult")
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs.select_related(
        "category", "responsible_party", "first_party", "escalated_to", "place"
    ).order_by("-escalation_level", "accept_due_at", "-id")


# ---------------------------------------------------------------- whistles


@dataclass
class SummonsRow:
    summons: Summons
    department: str
    due_at: datetime
    reported_in_at: datetime | None
    minutes: int | None
    on_time: bool | None
    acted: str
    reported_back_at: datetime | None


def whistle_board(*, appeal: Appeal) -> list[tuple[Whistle, list[SummonsRow]]]:
    """Every whistle on an appeal with each department's report-in time — public (who came, how fast)."""
    whistles = list(
        Whistle.objects.filter(appeal=appeal)
        .select_related("party")
        .prefetch_related("summonses__department")
        .order_by("blown_at", "id")
    )
    out = []
    for w in whistles:
        rows = []
        for s in sorted(w.summonses.all(), key=lambda s: s.pk):
            minutes = None
            if s.reported_in_at is not None:
                minutes = int((s.reported_in_at - w.blown_at).total_seconds() // 60)
            rows.append(
                SummonsRow(
                    summons=s,
                    department=s.department.name,
                    due_at=s.due_at,
                    reported_in_at=s.reported_in_at,
                    minutes=minutes,
                    on_time=s.on_time,
                    acted=s.acted,
                    reported_back_at=s.reported_back_at,
                )
            )
        out.append((w, rows))
    return out


def summonses_for(*, user, open_only: bool = True) -> QuerySet[Summons]:
    """Summonses of the departments a user acts for (their 报到 queue)."""
    ids = user_roles(user=user).party_ids
    if not ids:
        return Summons.objects.none()
    qs = Summons.objects.filter(department_id__in=ids)
    if open_only:
        qs = qs.filter(Q(reported_back_at__isnull=True) & Q(whistle__closed_at__isnull=True))
    return qs.select_related(
        "whistle", "whistle__appeal", "whistle__appeal__category", "whistle__party", "department"
    ).order_by("due_at", "id")


def is_overdue(*, due: datetime | None, now: datetime | None = None) -> bool:
    return due is not None and due < (now or clock.now())


def minutes_between(a: datetime, b: datetime) -> int:
    return int((b - a) / timedelta(minutes=1))


def supervision_links(*, appeal: Appeal, user) -> dict[str, bool]:
    """What supervision actions this user has on an appeal (for buttons on the appeal page):
    whistle (party organisation / residents' committee / street office), helper (环物会), board
    (there are whistles to show)."""
    from shequ.directory.models import PartyKind  # noqa: PLC0415
    from shequ.supervision import services  # noqa: PLC0415

    open_ = appeal.status in OPEN_STATUSES
    return {
        "whistle": open_
        and services._acting_party_of_kinds(actor=user, appeal=appeal, kinds=services.WHISTLE_KINDS)
        is not None,
        "helper": open_
        and services._acting_party_of_kinds(
            actor=user, appeal=appeal, kinds=(PartyKind.ENV_PROPERTY_COMMITTEE,)
        )
        is not None,
        "board": Whistle.objects.filter(appeal=appeal).exists(),
    }


def party_compounds(*, party: Party, limit: int = 50):
    """Compounds a party serves (its contracts for a property company), for per-place rates."""
    from shequ.directory.models import Place, PlaceKind  # noqa: PLC0415
    from shequ.directory.selectors import party_place_ids  # noqa: PLC0415

    ids = party_place_ids(party=party)
    if not ids:
        return []
    return (
        list(
            Place.objects.filter(Q(pk__in=ids) | Q(compound_id__in=ids), kind=PlaceKind.COMPOUND)
            .distinct()
            .order_by("name")[:limit]
        )
        if party.kind == "property_company"
        else list(
            Place.objects.filter(Q(pk__in=ids) | Q(community_id__in=ids), kind=PlaceKind.COMPOUND)
            .distinct()
            .order_by("name")[:limit]
        )
    )
