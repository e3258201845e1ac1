"""The three rates (三率) and the fair composite — one definition, read from the per-day rollups by the
scorecard, the league table, 谁在管我家, 物业之窗, the dashboards and the API (the month rows: a month
or all time is a few rows per party).

Response rate: accepted within the limit / dispatched (by dispatch day). Resolution rate: rated solved /
rated; satisfaction rate: 满意 + 基本满意 / rated (both by rating day). Appeals closed unrated count in
neither. The first party stays accountable (首接负责).

The composite (weights 30/35/35 by default, `SHEQU_RATE_WEIGHTS`) is fair to those who finish work:
a rate without data counts as 0 (the worst case), and the composite is only given — and only ranked —
with at least `SHEQU_RATES_MIN_RATED` (default 3) rated appeals in the period; below that it is shown
as 样本不足 (too few ratings) and ranked after every party with enough ratings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.signals import setting_changed
from django.db.models import Sum
from django.dispatch import receiver
from django.utils import timezone

from shequ.analytics.models import MonthlyRollup
from shequ.analytics.rollups import rollups_fresh
from shequ.core import clock
from shequ.core.errors import Invalid

DEFAULT_WEIGHTS = (0.30, 0.35, 0.35)
DEFAULT_MIN_RATED = 3
RATE_COUNTS = ("dispatched", "accepted_in_time", "rated", "solved", "satisfied")


@lru_cache(maxsize=1)
def rate_weights() -> tuple[float, float, float]:
    weights = getattr(settings, "SHEQU_RATE_WEIGHTS", None) or DEFAULT_WEIGHTS
    a, b, c = (float(w) for w in weights)
    return (a, b, c)


@lru_cache(maxsize=1)
def min_rated() -> int:
    return int(getattr(settings, "SHEQU_RATES_MIN_RATED", DEFAULT_MIN_RATED))


@receiver(setting_changed)
def _settings_changed(*, setting: str, **_kwargs) -> None:
    """Read once per process (every Rates reads them; a dashboard makes a thousand), again when changed."""
    if setting in ("SHEQU_RATE_WEIGHTS", "SHEQU_RATES_MIN_RATED"):
        rate_weights.cache_clear()
        min_rated.cache_clear()


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
    min_rated: int = field(default_factory=min_rated)

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
    def worst_case_score(self) -> float:
        """The weighted mean with every missing rate counted as 0."""
        rates = (self.response_rate, self.resolution_rate, self.satisfaction_rate)
        total = sum(self.weights)
        return sum(w * (r or 0.0) for w, r in zip(self.weights, rates, strict=True)) / total if total else 0.0

    @property
    def sufficient(self) -> bool:
        return self.rated >= self.min_rated

    @property
    def composite(self) -> float | None:
        """The worst-case score, or None (样本不足) below the minimum number of rated appeals."""
        return self.worst_case_score if self.sufficient else None

    def add(self, row: Mapping[str, Any]) -> None:
        for name in RATE_COUNTS:
            setattr(self, name, getattr(self, name) + (row.get(name) or 0))

    @property
    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in RATE_COUNTS}

    def as_dict(self) -> dict:
        return {
            "month": self.month,
            "response_rate": self.response_rate,
            "resolution_rate": self.resolution_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "composite": self.composite,
            "sufficient": self.sufficient,
            "min_rated": self.min_rated,
            "counts": self.counts,
            "weights": list(self.weights),
        }


def rank_key(rates: Rates, name: str = "") -> tuple:
    """League order: enough ratings first, then the composite (worst case for the rest), then name."""
    return (not rates.sufficient, -rates.worst_case_score, name)


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


def month_days(month: str) -> tuple[date, date]:
    """[first day, first day of next month) of a month."""
    start, end = month_bounds(month)
    return start.date(), end.date()


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


def _grouped(
    *, group: str, ids: list[int], start: date | None, end: date | None, party_id: int | None = None
):
    qs = MonthlyRollup.objects.filter(**{f"{group}__in": ids})
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    if start is not None and end is not None:
        qs = qs.filter(month__gte=start, month__lt=end)
    return qs.values(group).annotate(**{n: Sum(n) for n in RATE_COUNTS}).order_by()


def party_rates(*, party_ids, month: str | None = None) -> dict[int, Rates]:
    """The three rates of each party for a month ("YYYY-MM") or, with None, over all time."""
    ids = [int(p) for p in party_ids]
    start, end = month_days(month) if month else (None, None)
    rollups_fresh()
    out = {pid: Rates(key=pid, month=month) for pid in ids}
    if ids:
        for row in _grouped(group="party_id", ids=ids, start=start, end=end):
            out[row["party_id"]].add(row)
    return out


def place_rates(
    *, place_ids, level: str = "compound", month: str | None = None, party_id: int | None = None
) -> dict[int, Rates]:
    """The three rates of appeals in each compound (or community) — of every party, or of one."""
    if level not in ("compound", "community"):
        raise Invalid(
            "地点层级只能是小区或社区。", "level must be compound or community.", code="level_invalid"
        )
    ids = [int(p) for p in place_ids]
    start, end = month_days(month) if month else (None, None)
    rollups_fresh()
    out = {pid: Rates(key=pid, month=month) for pid in ids}
    if ids:
        for row in _grouped(group=f"{level}_id", ids=ids, start=start, end=end, party_id=party_id):
            out[row[f"{level}_id"]].add(row)
    return out


def party_rates_by_month(*, party_id: int, months: int = 6, upto: str | None = None) -> list[Rates]:
    """One Rates per month for the last `months` months (oldest first), in one query."""
    names = recent_months(months, upto=upto)
    start, _ = month_days(names[0])
    _, end = month_days(names[-1])
    rollups_fresh()
    out = {m: Rates(key=party_id, month=m) for m in names}
    rows = MonthlyRollup.objects.filter(party_id=party_id, month__gte=start, month__lt=end).values(
        "month", *RATE_COUNTS
    )
    for row in rows:
        out[row["month"].strftime("%Y-%m")].add(row)
    return [out[m] for m in names]
