"""Excel: a project's public account (summary by source, funding entries, spending entries)."""

from __future__ import annotations

from shequ.core.xlsx import Sheet
from shequ.projects.models import Funding, Project, Spending
from shequ.projects.selectors import Account


def account_sheets(
    project: Project, account: Account, fundings: list[Funding], spendings: list[Spending]
) -> list[Sheet]:
    summary = [[x.label, x.pledged, x.received, x.spent, x.balance] for x in account.lines]
    summary.append(["合计", account.pledged, account.received, account.spent, account.balance])
    return [
        Sheet("账目汇总", ["来源", "认捐", "到账", "支出", "结余"], summary),
        Sheet(
            "资金来源",
            ["来源", "出资方", "金额", "状态", "认捐时间", "到账时间"],
            [
                [
                    f.get_source_display(),
                    f.payer_name,
                    f.amount,
                    f.get_status_display(),
                    f.pledged_at,
                    f.received_at,
                ]
                for f in fundings
            ],
        ),
        Sheet(
            "支出",
            ["日期", "列支来源", "收款方", "用途", "金额"],
            [[s.spent_on, s.get_source_display(), s.payee, s.description, s.amount] for s in spendings],
        ),
    ]
