"""Excel sheets of a meeting (attendance, minutes, action items) and of a party's action items."""

from __future__ import annotations

from collections.abc import Iterable

from shequ.core.xlsx import Sheet
from shequ.meetings.action_items import is_overdue
from shequ.meetings.models import ActionItem, Meeting


def attendance(meeting: Meeting) -> Sheet:
    return Sheet(
        "签到表",
        ["会议", "姓名", "代表单位", "身份", "登记时间"],
        [
            [meeting.topic, a.name, a.party.name if a.party else "", a.for_label, a.recorded_at]
            for a in meeting.attendance.all()
        ],
    )


def minutes(meeting: Meeting) -> Sheet:
    rows: list[list[object]] = [
        ["议题", meeting.topic],
        ["召集单位", meeting.convener.name],
        ["时间", meeting.starts_at],
        ["地点", meeting.location],
        ["状态", meeting.get_status_display()],
    ]
    rows += [["议程", a.title] for a in meeting.agenda.all()]
    rows += [["会议纪要", meeting.minutes]]
    rows += [[f"决定{i}", d.text] for i, d in enumerate(meeting.decisions.all(), 1)]
    return Sheet("会议纪要", ["项目", "内容"], rows)


def items_sheet(items: Iterable[ActionItem]) -> Sheet:
    return Sheet(
        "任务台账",
        ["会议", "任务", "责任单位", "完成时限", "状态", "是否超期", "升级至", "完成时间", "完成情况"],
        [
            [
                i.meeting.topic,
                i.description,
                i.responsible_party.name,
                i.due_at,
                i.get_status_display(),
                "是" if is_overdue(item=i) or (i.done_at and i.done_at > i.due_at) else "否",
                i.escalated_to.name if i.escalated_to else "",
                i.done_at,
                i.done_note,
            ]
            for i in items
        ],
    )


def action_items(meeting: Meeting) -> Sheet:
    return items_sheet(meeting.action_items.all())
