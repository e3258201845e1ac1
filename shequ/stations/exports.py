"""Excel sheets: service hours (a volunteer's ledger or a station's) and a course's records."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from shequ.core.xlsx import Sheet
from shequ.stations.models import Course, ServiceLog


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


def hours_sheet(logs: Iterable[ServiceLog], *, with_volunteer: bool = False) -> Sheet:
    header = ["服务日期", "互助站", "需求编号", "服务内容", "分钟", "小时"]
    if with_volunteer:
        header.insert(1, "志愿者")
    rows = []
    for log in logs:
        row: list[object] = [
            log.served_on,
            log.station.name,
            log.appeal.number,
            log.note,
            log.minutes,
            _hours(log.minutes),
        ]
        if with_volunteer:
            row.insert(1, log.volunteer.user.real_name)
        rows.append(row)
    return Sheet("服务时长", header, rows)


def course_sheet(course: Course, records: list[dict]) -> Sheet:
    sessions = list(course.sessions.all())
    header = ["姓名", "状态"] + [f"第{i}次 {s.starts_at:%m-%d}" for i, s in enumerate(sessions, 1)] + ["结业"]
    rows = [
        [r["enrolment"].user.real_name, r["enrolment"].get_status_display()]
        + ["出勤" if m else "" for m in r["marks"]]
        + ["是" if r["completed"] else "否"]
        for r in records
    ]
    return Sheet("学员记录", header, rows)
