"""Appeal queues as Excel ledgers (台账): the rows a queue page lists — the workbench with its filters, the
escalated list — in the page's order (`selectors.appeal_list`, `escalated_appeals`), streamed in constant
memory. No personal data: the reporter's name and phone stay on the appeal page, where the role rules
mask them."""

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
FIELDS = (
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
FIXED = len(FIELDS)  # the columns every queue ledger has; the escalation columns follow
ESCALATION_FIELDS = ("escalation_level", "escalated_to__name", "first_party__name")


def queue_ledger(qs: QuerySet[Appeal], *, now: datetime, escalation: bool = False) -> Ledger:
    """The queue's rows: number, times, what and where, who, the two limits and whether it is overdue now
    (`overdue_q`, the one overdue rule); with `escalation`, also the ladder level, the party it climbed to
    and the first party, which still answers for it (the escalated list, 升级督办)."""
    kinds, statuses, urgencies = dict(Kind.choices), dict(Status.choices), dict(Urgency.choices)
    fields = FIELDS + (ESCALATION_FIELDS if escalation else ())
    rows = (
        qs.annotate(late=ExpressionWrapper(overdue_q(now=now), output_field=BooleanField()))
        .values_list(*fields)
        .iterator(chunk_size=2000)
    )
    yes = _("是")

    def cells():
        for n, row in enumerate(rows):
            if n >= QUEUE_LEDGER_MAX:
                return
            head, extra = row[:FIXED], row[FIXED:]
            number, created, kind, category, place, urgency, status, party, accept, resolve, late = head
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
                *[value or "" for value in extra],
            ]

    columns = [
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
    ]
    if escalation:
        columns += [Column(_("升级层级"), 10, "int"), Column(_("升级至"), 20), Column(_("首接主体"), 20)]
    return Ledger(_("升级督办台账") if escalation else _("工单台账"), columns, cells())
