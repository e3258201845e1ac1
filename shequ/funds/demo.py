"""Demo: the 上河村 maintenance fund and the lift-replacement application, in progress at the 房管局."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile

from shequ.accounts.models import User
from shequ.core import clock
from shequ.decisions.models import Decision
from shequ.directory.models import Party, Place, PlaceKind
from shequ.funds import services
from shequ.funds.models import FundAccount, FundApplication


def demo_fund_load(*, users: dict[str, User], parties: dict[str, Party], lifts: Decision) -> FundApplication:
    now = clock.now()
    chair = users["13900000101"]
    shc = Place.objects.get(kind=PlaceKind.COMPOUND, name="上河村小区")
    account, _ = FundAccount.objects.get_or_create(place=shc)
    with clock.frozen(now - timedelta(days=400)):
        services.ledger_post(
            actor=None, account=account, kind="deposit", amount_fen=1_286_400_000, note="首期维修资金交存"
        )
    with clock.frozen(now - timedelta(days=35)):
        services.ledger_post(
            actor=None, account=account, kind="interest", amount_fen=3_215_000, note="年度利息"
        )
    old = list(lifts.buildings.all())
    with clock.frozen(now - timedelta(days=17)):
        app = services.application_create(
            actor=chair,
            organiser=parties["demo-shc-owners"],
            account=account,
            department=parties["demo-dept-fgj"],
            title="更换3号、5号、8号楼12部老旧电梯",
            description="依据业主表决结果，使用维修资金整体更换3号、5号、8号楼12部运行超过15年的电梯。",
            amount_fen=360_000_000,
            beneficiaries=old,
        )
        app = services.application_link_decision(actor=chair, application=app, decision=lifts)
    with clock.frozen(now - timedelta(days=9)):
        app = services.application_quote(
            actor=chair,
            application=app,
            amount_fen=342_600_000,
            document=ContentFile(b"%PDF-1.4 demo quote", name="电梯更换报价及合同.pdf"),
        )
    with clock.frozen(now - timedelta(days=6)):
        app = services.application_submit(actor=chair, application=app)
    return app
