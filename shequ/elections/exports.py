"""The Excel export of an election: candidates and the tally for everyone; the published box (secret) or the
named ballot list (owners' committee, for those who may inspect it) after the close; the roll for the
organiser."""

from __future__ import annotations

from shequ.decisions.exports import workbook_bytes
from shequ.elections import selectors
from shequ.elections.models import Election, ElectionStatus


def _yes(value: bool) -> str:
    return "是" if value else "否"


def tally_rows(election: Election) -> list[list]:
    r = election.result if election.status == ElectionStatus.CLOSED else {}
    scores = r.get("scores") or {}
    elected, tied = set(r.get("elected") or []), set(r.get("tied") or [])
    alternates = {cid: rank for rank, cid in r.get("alternates") or []}

    def standing(pk: int) -> str:
        if pk in elected:
            return "当选"
        if pk in tied:
            return "得票相同，另行选举"
        return f"候补第{alternates[pk]}名" if pk in alternates else ""

    candidates = list(election.candidates.filter(withdrawn=False))
    if not election.is_named:
        return [["候选人", "提名方式", "得票", "结果"]] + [
            [c.name, c.get_route_display(), scores.get(str(c.pk), ""), standing(c.pk)] for c in candidates
        ]
    per = r.get("candidates") or {}
    rows: list[list] = [
        ["候选人", "提名方式", "同意人数", "同意面积（㎡）", "人数过半", "面积过半", "通过", "结果"]
    ]
    for c in candidates:
        t = per.get(str(c.pk))
        rows.append(
            [c.name, c.get_route_display()]
            + (
                [t["agree_owners"], t["agree_area"], _yes(t["agree_owners_ok"]), _yes(t["agree_area_ok"])]
                + [_yes(t["passed"]), standing(c.pk)]
                if t
                else ["", "", "", "", "", ""]
            )
        )
    if r:
        rows += [
            [],
            ["", "人数", "面积（㎡）"],
            ["业主总数", r["total_owners"], r["total_area"]],
            ["参与投票", r["voted_owners"], r["voted_area"]],
            ["达到三分之二", _yes(r["quorum_owners"]), _yes(r["quorum_area"])],
        ]
    return rows


def election_xlsx(*, user, election: Election) -> bytes:
    names = dict(election.candidates.values_list("pk", "name"))
    sheets = [("计票", tally_rows(election))]
    closed = election.status == ElectionStatus.CLOSED
    if closed and not election.is_named:
        sheets.append(
            (
                "投票箱",
                [["回执码", "所选候选人"]]
                + [
                    [b.receipt, "、".join(names[c] for c in b.choices) or "全部弃权"]
                    for b in selectors.published_box(election=election)
                ],
            )
        )
    if closed and selectors.may_see_named(user=user, election=election):
        sheets.append(
            (
                "记名选票",
                [["楼栋", "业主", "专有部分", "面积（㎡）", "已投票", "方式", "所选候选人"]]
                + [
                    [
                        line.entry.building,
                        line.entry.name,
                        "、".join(label for label, _a in line.entry.units),
                        str(line.entry.area or ""),
                        _yes(line.voted),
                        line.ballot.get_channel_display() if line.ballot else "",
                        ("、".join(line.chosen) or "全部弃权") if line.ballot else "",
                    ]
                    for line in selectors.named_lines(
                        selectors.named_ballot_list(user=user, election=election), election=election
                    )
                ],
            )
        )
    roll = selectors.roll_for(user=user, election=election)
    if roll.exists():
        sheets.append(
            (
                "选民名册",
                [["楼栋", "姓名", "面积（㎡）", "已投票"]]
                + [[r.building, r.name, str(r.area or ""), _yes(r.voted)] for r in roll],
            )
        )
    return workbook_bytes(sheets)
