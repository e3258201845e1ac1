"""The Excel ledgers (台账) of the dashboards: each table of the page, and the appeals ledger of the
period, with the same filters as the page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from shequ.analytics.dashboards import Filters, appeals_in_period
from shequ.analytics.rates import Rates
from shequ.analytics.selectors import Dashboard
from shequ.appeals.models import Kind, Rating, Source, Status
from shequ.core.xlsx import Column, Ledger
from shequ.directory.models import Party, Place

TABLES = (
    "appeals",
    "parties",
    "communities",
    "categories",
    "times",
    "hotspots",
    "repeats",
    "hotline",
    "hotline_communities",
    "trend",
    "weekly",
)


def _rate_columns() -> list[Column]:
    return [
        Column(_("响应率"), 10, "pct"),
        Column(_("解决率"), 10, "pct"),
        Column(_("满意率"), 10, "pct"),
        Column(_("综合得分"), 10, "pct"),
        Column(_("样本不足"), 10),
        Column(_("派单"), 8, "int"),
        Column(_("评价"), 8, "int"),
    ]


def _rate_cells(r) -> list[Any]:
    return [
        r.response_rate,
        r.resolution_rate,
        r.satisfaction_rate,
        r.composite,
        "" if r.sufficient else _("是"),
        r.dispatched,
        r.rated,
    ]


def league_sheet(rows: list[tuple[Party, Rates]]) -> Ledger:
    """The league table (三率排行) as the page shows it: its order, and below the minimum of ratings the
    worst-case score in 综合得分 with 样本不足 marked (the page's chip)."""
    return Ledger(
        _("三率排行"),
        [
            Column("#", 6, "int"),
            Column(_("名称"), 28),
            Column(_("综合得分"), 10, "pct"),
            Column(_("样本不足"), 10),
            Column(_("响应率"), 10, "pct"),
            Column(_("解决率"), 10, "pct"),
            Column(_("满意率"), 10, "pct"),
            Column(_("派单"), 8, "int"),
            Column(_("评价"), 8, "int"),
        ],
        (
            [
                i,
                p.name,
                r.composite if r.sufficient else r.worst_case_score,
                "" if r.sufficient else _("是"),
                r.response_rate,
                r.resolution_rate,
                r.satisfaction_rate,
                r.dispatched,
                r.rated,
            ]
            for i, (p, r) in enumerate(rows, 1)
        ),
    )


def appeals_sheet(f: Filters) -> Ledger:
    # Labels translated once for the whole ledger, not once per row (100,000 rows: 300,000 lookups).
    kinds, statuses, sources, ratings = (
        {value: str(label) for value, label in c.choices} for c in (Kind, Status, Source, Rating)
    )
    communities = dict(Place.objects.filter(kind="community").values_list("pk", "name"))
    solved = {True: _("是"), False: _("否")}

    def rows() -> Iterator[list[Any]]:
        for a in appeals_in_period(f).iterator(chunk_size=2000):
            yield [
                a["number"],
                a["created_at"],
                kinds.get(a["kind"], a["kind"]),
                a["category__name"],
                communities.get(a["community_id"], ""),
                a["place__name"],
                sources.get(a["source"], a["source"]),
                statuses.get(a["status"], a["status"]),
                a["first_party__name"] or a["responsible_party__name"] or "",
                a["dispatched_at"],
                a["accepted_at"],
                a["resolved_at"],
                ratings.get(a["rating"], "") if a["rating"] else "",
                solved.get(a["solved"], ""),
            ]

    return Ledger(
        _("诉求台账"),
        [
            Column(_("编号"), 18),
            Column(_("提交时间"), 17, "datetime"),
            Column(_("类型"), 8),
            Column(_("分类"), 14),
            Column(_("社区"), 14),
            Column(_("地点"), 16),
            Column(_("来源"), 12),
            Column(_("状态"), 10),
            Column(_("首接负责主体"), 24),
            Column(_("派单时间"), 17, "datetime"),
            Column(_("签收时间"), 17, "datetime"),
            Column(_("办结时间"), 17, "datetime"),
            Column(_("评价"), 10),
            Column(_("是否解决"), 10),
        ],
        rows(),
    )


def dashboard_sheet(d: Dashboard, table: str) -> Ledger:
    if table == "parties":
        return Ledger(
            _("主体排行"),
            [
                Column(_("名称"), 28),
                Column(_("新增"), 8, "int"),
                Column(_("办结"), 8, "int"),
                *_rate_columns(),
            ],
            ([r.label, r.created, r.resolved, *_rate_cells(r.rates)] for r in d.parties),
        )
    if table == "communities":
        return Ledger(
            _("社区排行"),
            [
                Column(_("社区"), 18),
                Column(_("新增"), 8, "int"),
                Column(_("办结"), 8, "int"),
                *_rate_columns(),
            ],
            ([r.label, r.created, r.resolved, *_rate_cells(r.rates)] for r in d.community_rows),
        )
    if table == "categories":
        return Ledger(
            _("分类排行"),
            [
                Column(_("分类"), 18),
                Column(_("新增"), 8, "int"),
                Column(_("办结"), 8, "int"),
                *_rate_columns(),
            ],
            ([r.label, r.created, r.resolved, *_rate_cells(r.rates)] for r in d.categories),
        )
    if table == "times":
        return Ledger(
            _("办理时长"),
            [
                Column(_("分类"), 18),
                Column(_("办结"), 8, "int"),
                Column(_("中位数（小时）"), 12, "float"),
                Column(_("90分位（小时）"), 12, "float"),
            ],
            ([r.label, r.resolved, r.median_hours, r.p90_hours] for r in d.times_by_category),
        )
    if table == "hotspots":
        return Ledger(
            _("热点"),
            [Column(_("地点或设施"), 30), Column(_("层级"), 8), Column(_("诉求数"), 8, "int")],
            ([h.label, h.level, h.count] for h in d.hot_spots),
        )
    if table == "repeats":
        return Ledger(
            _("反复出现的问题"),
            [
                Column(_("设施"), 30),
                Column(_("再次报修"), 10, "int"),
                Column(_("编号"), 18),
                Column(_("提交时间"), 17, "datetime"),
                Column(_("办结时间"), 17, "datetime"),
            ],
            (
                [r.label, r.repeats, r.numbers.get(fa.appeal_id, ""), fa.created_at, fa.resolved_at]
                for r in d.repeats
                for fa in r.history
            ),
        )
    if table == "hotline":
        return Ledger(
            _("社区解决与12345"),
            [
                Column(_("月份"), 10),
                Column(_("社区内反映"), 12, "int"),
                Column(_("12345工单"), 12, "int"),
                Column(_("其中社区事务"), 12, "int"),
                Column(_("社区事务占比"), 12, "pct"),
            ],
            ([r.month, r.in_shequ, r.hotline, r.community_matters, r.matter_share] for r in d.hotline),
        )
    if table == "hotline_communities":
        months = d.trend.periods
        return Ledger(
            _("各社区与12345"),
            [
                Column(_("社区"), 16),
                Column(_("社区内反映"), 12, "int"),
                Column(_("12345工单"), 12, "int"),
                Column(_("上期12345工单"), 14, "int"),
                Column(_("其中社区事务"), 12, "int"),
                Column(_("社区事务占比"), 12, "pct"),
                *[Column(m, 9, "int") for m in months],
            ],
            (
                [
                    r.label,
                    r.in_shequ,
                    r.hotline,
                    r.previous_hotline,
                    r.community_matters,
                    r.matter_share,
                    *r.months,
                ]
                for r in d.hotline_communities
            ),
        )
    if table == "weekly":
        return _trend_sheet(_("每周趋势"), _("周"), d.weekly)
    return _trend_sheet(_("月度趋势"), _("月份"), d.trend)


def _trend_sheet(title: str, period: str, trend) -> Ledger:
    return Ledger(
        title,
        [
            Column(period, 10),
            *[Column(s.label, 12, "int") for s in trend.series],
            Column(_("合计"), 10, "int"),
        ],
        ([m, *[s.values[i] for s in trend.series], trend.totals[i]] for i, m in enumerate(trend.periods)),
    )
