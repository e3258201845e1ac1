"""The workbench queue as an Excel ledger (台账): the rows the staff member's queue shows, with the page's
filters and order (`selectors.appeal_list`, the one list rule), streamed in constant memory. No personal
data: the reporter's name and phone stay on the appeal page, where the role rules mask them."""

from __future__ import annotations

from datetime import datetime

from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.utils.translation import gettext as _

from shequ.appeals.deadlines import overdue_q
from shequ.appeals.models import Appeal, Kind, Status, Urgency
from shequ.core.xlsx import Column, Ledger

QUEUE_LEDGER_MAX = (
    50_000  # a queue is open work; more rows than this is a history, for the dashboards' ledger
)


def queue_ledger(qs: QuerySet[Appeal], *, now: datetime) -> Ledger:
    """The queue's rows: number, times, what and where, who, the two limits and whether it is overdue now
    (`overdue_q`, the one overdue rule)."""
    kinds, statuses, urgencies = dict(Kind.choices), dict(Status.choices), dict(Urgency.choices)
    rows = (
        qs.annotate(late=ExpressionWrapper(overdue_q(now=now), output_field=BooleanField()))
        .values_list(
            "number",
            "created_at",
            "kind",
            "category__name",
            "place__name",
            "urgency",
            "status",
            "responsible_party__name",
            "accept_due_at",
            "resolve_due_at",
            "late",
        )
        .iterator(chunk_size=2000)
    )
    yes = _("是")

    def cells():
        for n, (
            number,
            created,
            kind,
            category,
            place,
            urgency,
            status,
            party,
            accept,
            resolve,
            late,
        ) in enumerate(rows):
            if n >= QUEUE_LEDGER_MAX:
                return
            yield [
                number,
                created,
                str(kinds.get(kind, kind)),
                category,
                place,
                str(urgencies.get(urgency, urgency)),
                str(statuses.get(status, status)),
                party or "",
                accept,
                resolve,
                yes if late else "",
            ]

    return Ledger(
        _("工单台账"),
        [
            Column(_("编号"), 18),
            Column(_("提交时间"), 17, "datetime"),
            Column(_("类型"), 8),
            Column(_("分类"), 14),
            Column(_("地点"), 24),
            Column(_("紧急程度"), 10),
            Column(_("状态"), 10),
            Column(_("责任单位"), 20),
            Column(_("签收时限"), 17, "datetime"),
            Column(_("办结时限"), 17, "datetime"),
            Column(_("已超期"), 8),
        ],
        cells(),
    )
