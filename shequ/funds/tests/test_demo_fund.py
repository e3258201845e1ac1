"""The demo's lift application (上河村, waiting for the 区房管局) moves through every remaining step from the
pages: the department's officer (13900000082) approves it in their own workbench, the owners' committee
(13900000101) pays in two instalments and accepts the works, and an owner of a benefiting building sees their
share. The same demo's owners'-committee election in 上河村 is voting, and an owner (周建民) votes from home."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from shequ.accounts.models import User
from shequ.demo.services import demo_load
from shequ.funds import selectors
from shequ.funds.models import FundApplication

FAST_HASHER = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 demo", content_type="application/pdf")


@pytest.fixture
def loaded(db):
    with override_settings(**FAST_HASHER):
        summary = demo_load(reset=True, content=True)
    assert summary.loaded and not summary.content_error
    return summary


def test_the_demo_lift_application_moves_through_every_step(loaded, client):
    app = FundApplication.objects.select_related("decision", "account").get(title__contains="12部老旧电梯")
    assert app.status == "submitted"
    assert app.decision.status == "closed" and app.decision.outcome == "passed"
    assert list(app.events.values_list("kind", flat=True)) == ["proposed", "decided", "quoted", "submitted"]
    balance = app.account.balance_fen

    # The 房管局 officer sees it in their own workbench (待审批 on the start page, the review list) and
    # approves it on the application's page.
    officer = User.objects.get(phone="13900000082")
    client.force_login(officer)
    home = client.get(reverse("portal:home")).content.decode()
    assert "待审批" in home and app.title in home
    assert app.title in client.get(reverse("funds:review")).content.decode()
    chair = User.objects.get(phone="13900000101")
    client.force_login(chair)  # the owners' committee cannot approve its own application
    client.post(reverse("funds:act", args=[app.pk, "approve"]))
    app.refresh_from_db()
    assert app.status == "submitted"
    client.force_login(officer)
    assert client.post(reverse("funds:act", args=[app.pk, "approve"])).status_code == 302
    app.refresh_from_db()
    assert app.status == "approved"

    # The owners' committee pays the lift company in two instalments with vouchers, then accepts the works.
    client.force_login(chair)
    act = lambda action, data: client.post(reverse("funds:act", args=[app.pk, action]), data)  # noqa: E731
    act("pay", {"amount": "2000000", "payee": "电梯公司", "document": pdf("voucher1.pdf")})
    app.refresh_from_db()
    assert app.status == "approved" and app.paid_fen == 200_000_000
    act("pay", {"amount": "1426000", "payee": "电梯公司", "document": pdf("voucher2.pdf")})
    app.refresh_from_db()
    assert app.status == "paid" and app.paid_fen == app.amount_fen == 342_600_000
    act("accept", {"document": pdf("acceptance.pdf"), "note": "12部电梯验收合格"})
    app.refresh_from_db()
    assert app.status == "accepted"
    assert list(app.events.values_list("kind", flat=True)) == [
        "proposed",
        "decided",
        "quoted",
        "submitted",
        "approved",
        "payment",
        "payment",
        "paid",
        "accepted",
    ]
    app.account.refresh_from_db()
    assert app.account.balance_fen == balance - 342_600_000

    # The cost is split by area over the households of buildings 3, 5 and 8 only; the chair lives in
    # building 5 and sees their own part on the page.
    split = selectors.cost_split(application=app)
    assert sum(s.fen for s in split) == 342_600_000
    mine = [s for s in split if chair.pk in s.owner_user_ids]
    assert len(mine) == 1
    page = client.get(reverse("funds:application", args=[app.pk])).content.decode()
    assert "我家" in page


def test_the_demo_owners_committee_election_is_voting_and_an_owner_votes_from_home(loaded, client):
    from shequ.elections.models import Election, NamedBallot

    e = Election.objects.get(title="上河村小区第二届业主委员会换届选举")
    assert e.method == "owners_278" and e.status == "voting"
    roll = e.roll.all()
    assert roll.filter(is_developer=True).count() == 1  # the developer's six unsold units as one owner
    assert NamedBallot.objects.filter(election=e).count() == 30
    owner = User.objects.get(phone="13800000008")  # 周建民, an owner in 上河村 2号楼
    client.force_login(owner)
    assert f"/elections/{e.pk}/" in client.get(reverse("portal:home")).content.decode()
    ids = list(e.candidates.order_by("id").values_list("pk", flat=True))
    r = client.post(reverse("elections:vote", args=[e.pk]), {"candidate": ids[:2]})
    assert r.status_code == 302 and r.url == reverse("elections:receipt", args=[e.pk])
    assert NamedBallot.objects.filter(election=e, voter__user=owner).exists()
