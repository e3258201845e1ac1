"""Excel (台账) of the register and of a decision's whole record."""

from __future__ import annotations

from django.utils import timezone

from shequ.core import xlsx
from shequ.decisions import selectors
from shequ.decisions.models import Decision, DecisionStatus
from shequ.decisions.register import HEADER_ROW
from shequ.directory.models import Place


def workbook_bytes(sheets: list[tuple[str, list[list]]]) -> bytes:
    """Sheets of rows → .xlsx bytes (the first row of each sheet is its header), through the one workbook
    writer (`core.xlsx`)."""
    return xlsx.workbook_bytes(
        [xlsx.Sheet(title, rows[0] if rows else [], rows[1:]) for title, rows in sheets]
    )


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def register_xlsx(*, compound: Place) -> bytes:
    rows: list[list] = [HEADER_ROW + ["关联账号"]]
    for o in selectors.register_rows(compound_id=compound.pk):
        unit = o.unit
        household = unit.household
        building = unit.building.name if unit.building is not None else ""
        rows.append(
            [
                building,
                household.unit.name if household is not None and household.unit is not None else "",
                household.name if household is not None else unit.label.removeprefix(building),
                unit.get_kind_display(),
                str(unit.area),
                unit.get_area_source_display(),
                o.owner.name,
                o.owner.phone,
                "是" if o.is_representative else "否",
                "是" if unit.developer_unsold else "否",
                "是" if o.owner.user_id else "",
            ]
        )
    return workbook_bytes([("业主名册", rows)])


def register_template_xlsx() -> bytes:
    return workbook_bytes(
        [
            (
                "业主名册",
                [
                    HEADER_ROW,
                    ["1号楼", "1单元", "101", "住宅", "86.50", "登记", "王建国", "13700000001", "是", "否"],
                    ["1号楼", "1单元", "102", "住宅", "72.30", "登记", "李梅", "13700000002", "是", "否"],
                    ["1号楼", "1单元", "102", "住宅", "72.30", "登记", "李强", "", "否", "否"],
                    ["1号楼", "", "车位A-01", "车位", "12.50", "实测", "王建国", "13700000001", "是", "否"],
                    [
                        "1号楼",
                        "1单元",
                        "201",
                        "住宅",
                        "90.00",
                        "合同",
                        "某某房地产开发有限公司",
                        "",
                        "",
                        "是",
                    ],
                ],
            )
        ]
    )


def decision_xlsx(*, user, decision: Decision) -> bytes:
    """The whole record: summary and tally, the per-unit ballot list (owners of the compound and the organiser
    only — the public export has the counts alone), and every event."""
    summary: list[list] = [
        ["项目", "内容"],
        ["标题", decision.title],
        ["事项", decision.get_matter_display()],
        ["小区", decision.compound.name],
        ["组织单位", decision.organiser.name],
        ["状态", decision.get_status_display()],
        ["投票开始", _when(decision.opens_at)],
        ["投票截止", _when(decision.closes_at)],
        ["结束时间", _when(decision.closed_at)],
    ]
    if decision.status == DecisionStatus.CLOSED:
        r = decision.result
        summary += [
            ["结果", decision.get_outcome_display()],
            ["业主总人数", r["total_owners"]],
            ["专有部分总面积（㎡）", r["total_area"]],
            ["参与表决人数", r["voted_owners"]],
            ["参与表决面积（㎡）", r["voted_area"]],
            ["同意人数", r["agree_owners"]],
            ["同意面积（㎡）", r["agree_area"]],
            ["反对人数", r["disagree_owners"]],
            ["反对面积（㎡）", r["disagree_area"]],
            ["弃权人数", r["abstain_owners"]],
            ["弃权面积（㎡）", r["abstain_area"]],
        ]
    sheets = [("概况与计票", summary)]
    if selectors.may_see_ballots(user=user, decision=decision) and decision.status != DecisionStatus.DRAFT:
        lines: list[list] = [["专有部分", "面积（㎡）", "表决人", "是否投票", "意见", "方式", "时间"]]
        for u in selectors.unit_lines(selectors.ballot_list(user=user, decision=decision)):
            b = u.ballot
            lines.append(
                [
                    u.label,
                    str(u.area),
                    u.voter,
                    "是" if u.voted else "否",
                    b.get_choice_display() if b else "",
                    b.get_channel_display() if b else "",
                    _when(b.cast_at) if b else "",
                ]
            )
        sheets.append(("逐户表决", lines))
        events: list[list] = [["时间", "事件", "操作人", "理由"]]
        for e in decision.events.select_related("actor").order_by("at", "id"):
            events.append(
                [_when(e.at), e.label, e.actor.real_name if e.actor is not None else "系统", e.reason]
            )
        sheets.append(("操作记录", events))
    return workbook_bytes(sheets)
