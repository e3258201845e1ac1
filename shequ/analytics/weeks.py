"""The weekly trend: appeals filed per ISO week (Monday to Sunday, local days in Asia/Shanghai — the day
rows are local days) by top-level category, read from the day rows in one grouped query. The one
function the page, the API and the Excel ledger call (`weekly_trend`). The stacking rule (the top 5
categories of the window, the rest as 其他) is shared with the monthly trend (`stack`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Sum

from shequ.analytics.filters import Filters, _root_of, _tz, category_names, rollup_rows
from shequ.core import clock

TREND_WEEKS = 12


@dataclass
class Series:
    label: str
    values: list[int]


@dataclass
class Trend:
    periods: list[str]
    series: list[Series]

    @property
    def totals(self) -> list[int]:
        return [sum(s.values[i] for s in self.series) for i in range(len(self.periods))]

    @property
    def peak(self) -> int:
        return max(self.totals, default=0) or 1


def stack(per: dict[int, dict[Hashable, int]], keys: Sequence[Hashable], *, top: int = 5) -> list[Series]:
    """Series per top-level category over the `keys` (months or weeks), the busiest `top` first and the
    rest summed as 其他; categories with nothing in the window are left out."""
    from django.utils.translation import gettext as _  # noqa: PLC0415

    ranked = sorted(
        (c for c in per if any(per[c].get(k) for k in keys)),
        key=lambda c: -sum(per[c].get(k, 0) for k in keys),
    )
    labels = category_names()
    series = [Series(labels.get(c, "—"), [per[c].get(k, 0) for k in keys]) for c in ranked[:top]]
    rest = ranked[top:]
    if rest:
        series.append(Series(_("其他"), [sum(per[c].get(k, 0) for c in rest) for k in keys]))
    return series


def week_label(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def trend_mondays(f: Filters, *, weeks: int = TREND_WEEKS, today: date | None = None) -> list[date]:
    """The Mondays of the `weeks` ISO weeks ending with the week of the period's last day (this week
    when the period has not ended yet)."""
    today = today or clock.now().astimezone(_tz()).date()
    last = min(f.days[1] - timedelta(days=1), today)
    this = last - timedelta(days=last.weekday())
    return [this - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def weekly_trend(f: Filters, *, weeks: int = TREND_WEEKS, top: int = 5) -> Trend:
    """Appeals filed per ISO week by top-level category over the last `weeks` weeks, with the page's
    filters (the source filter included): one grouped read of the day rows (`an_roll_street_day` /
    `an_roll_comm_day`), summed per week here."""
    mondays = trend_mondays(f, weeks=weeks)
    end = mondays[-1] + timedelta(days=7)
    rows = (
        rollup_rows(f, start=mondays[0], end=end)
        .values_list("day", "category_id")
        .annotate(n=Sum("created"))
        .order_by()
    )
    roots = _root_of()
    per: dict[int, dict[Hashable, int]] = defaultdict(lambda: defaultdict(int))
    for day, category_id, n in rows:
        per[roots.get(category_id, category_id)][day - timedelta(days=day.weekday())] += n or 0
    return Trend(periods=[week_label(m) for m in mondays], series=stack(per, mondays, top=top))
