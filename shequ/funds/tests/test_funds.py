"""The maintenance fund: shares by area in exact fen, an application through every step with the
department approving in its own workbench, the art. 281 emergency path, refusals."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.decisions import services as ds
from shequ.decisions import voting as dv
from shequ.decisions.tests.factories import AFTER, VOTING, standard_register, voting_decision
from shequ.directory import parties as dparties
from shequ.directory.models import Role
from shequ.funds import selectors, services
from shequ.funds.models import FundAccount, FundEvent

pytestmark = pytest.mark.django_db


def doc(name="quote.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 fake", content_type="application/pdf")


def test_split_is_exact_and_adds_up():
    # 100.00 yuan over areas 1 : 1 : 1 → 3334, 3333, 3333 fen (the remainder to the first largest).
    assert selectors.split_fen(10000, [100, 100, 100]) == [3334, 3333, 3333]
    assert selectors.split_fen(1, [8850, 7500]) == [1, 0]
    assert sum(selectors.split_fen(987654, [8850, 7500, 30000, 10000, 9000])) == 987654


@pytest.fixture
def setup(world):
    standard_register(world)
    officer = dparties.membership_create(user=world.outsider, party=world.dept_housing, role=Role.STAFF).user
    account = FundAccount.objects.create(place=world.compound_a)
    services.ledger_post(actor=None, account=account, kind="deposit", amount_fen=65350000, note="首期交存")
    return world, officer, account


def passed_decision(world):
    d = voting_decision(world)
    with clock.frozen(VOTING):
        dv.ballot_cast(user=world.resident_a, decision=d, choice="agree")
        dv.ballot_cast(user=world.resident_a2, decision=d, choice="agree")
        from shequ.decisions.models import RollVoter

        for v in RollVoter.objects.filter(decision=d, owner__user__isnull=True):
            dv.ballot_enter(
                actor=world.rc_staff,
                decision=d,
                voter_id=v.pk,
                choice="agree",
                channel="paper",
                document=doc("p.jpg"),
            )
        return ds.decision_close(actor=world.rc_staff, decision=d)


def test_application_moves_through_every_step_with_the_department_in_its_workbench(client, setup):
    world, officer, account = setup
    decision = passed_decision(world)
    assert decision.outcome == "passed"
    app = services.application_create(
        actor=world.rc_staff,
        organiser=world.rc,
        account=account,
        department=world.dept_housing,
        title="更换1号楼电梯",
        description="21年老梯",
        amount_fen=30000000,
        beneficiaries=[world.building_a1],
    )
    with pytest.raises(Conflict):  # no quote before the owners decided
        services.application_quote(actor=world.rc_staff, application=app, amount_fen=1, document=doc())
    app = services.application_link_decision(actor=world.rc_staff, application=app, decision=decision)
    app = services.application_quote(
        actor=world.rc_staff, application=app, amount_fen=28800000, document=doc()
    )
    app = services.application_submit(actor=world.rc_staff, application=app)
    # The department sees it in its own 待审批 block on the home page and approves there.
    client.force_login(officer)
    home = client.get(reverse("portal:home")).content.decode()
    assert "待审批" in home and app.title in home
    with pytest.raises(Forbidden):
        services.application_review(actor=world.rc_staff, application=app, approve=True)
    with pytest.raises(Invalid):
        services.application_review(actor=officer, application=app, approve=False, reason="")
    r = client.post(reverse("funds:act", args=[app.pk, "approve"]))
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.status == "approved"
    with pytest.raises(Invalid):
        services.application_pay(
            actor=world.rc_staff, application=app, amount_fen=28800001, payee="电梯公司", document=doc()
        )
    app = services.application_pay(
        actor=world.rc_staff, application=app, amount_fen=20000000, payee="电梯公司", document=doc()
    )
    assert app.status == "approved" and app.paid_fen == 20000000
    app = services.application_pay(
        actor=world.rc_staff, application=app, amount_fen=8800000, payee="电梯公司", document=doc()
    )
    assert app.status == "paid"
    app = services.application_accept(actor=world.rc_staff, application=app, document=doc("acceptance.pdf"))
    assert app.status == "accepted"
    account.refresh_from_db()
    assert account.balance_fen == 65350000 - 28800000
    kinds = list(FundEvent.objects.filter(application=app).values_list("kind", flat=True))
    assert kinds == [
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
    # Cost split by area over building 1's households only (not 张小三 in building 2).
    split = selectors.cost_split(application=app)
    assert sum(s.fen for s in split) == 28800000
    assert all("2号楼" not in s.label for s in split)
    client.force_login(world.resident_a)
    page = client.get(reverse("funds:application", args=[app.pk])).content.decode()
    assert "我家" in page  # each beneficiary household sees its own share
    mine = client.get(f"/api/v1/funds/applications/{app.pk}").json()["my_share_fen"]
    assert mine == next(s.fen for s in split if world.resident_a.pk in s.owner_user_ids)
    client.force_login(world.resident_b)  # an owner of another compound
    assert client.get(reverse("funds:application", args=[app.pk])).status_code == 404


def test_emergency_path_without_a_vote_is_stated_and_recorded(setup):
    world, officer, account = setup
    app = services.application_create(
        actor=world.rc_staff,
        organiser=world.rc,
        account=account,
        department=world.dept_housing,
        title="1号楼电梯紧急维修",
        description="困人",
        amount_fen=500000,
    )
    with pytest.raises(Invalid):
        services.application_emergency(actor=world.rc_staff, application=app, kind="lift", reason="")
    app = services.application_emergency(
        actor=world.rc_staff, application=app, kind="lift", reason="曳引机故障，多次困人"
    )
    event = FundEvent.objects.get(application=app, kind="emergency")
    assert event.data["ground"] == "民法典第二百八十一条第二款" and event.reason
    app = services.application_quote(actor=world.rc_staff, application=app, amount_fen=480000, document=doc())
    app = services.application_submit(actor=world.rc_staff, application=app)
    app = services.application_review(
        actor=officer, application=app, approve=False, reason="缺少电梯检验报告"
    )
    assert app.status == "rejected"
    app = services.application_quote(
        actor=world.rc_staff, application=app, amount_fen=480000, document=doc()
    )  # resubmit
    assert app.status == "quoted"


def test_a_decision_that_did_not_pass_cannot_be_linked(setup):
    world, officer, account = setup
    d = voting_decision(world)
    with clock.frozen(AFTER):
        d = ds.decision_close(actor=world.rc_staff, decision=d)
    app = services.application_create(
        actor=world.rc_staff,
        organiser=world.rc,
        account=account,
        department=world.dept_housing,
        title="t",
        description="d",
        amount_fen=1,
    )
    with pytest.raises(Conflict):
        services.application_link_decision(actor=world.rc_staff, application=app, decision=d)


def test_my_building_fund_shows_my_share(client, setup):
    world, officer, account = setup
    client.force_login(world.resident_a)
    page = client.get(reverse("funds:account", args=[account.pk])).content.decode()
    assert "653,500.00" in page and "我家" in page
    shares = client.get("/api/v1/funds/accounts").json()["items"]
    # 张三's 88.50 m² of 653.50 m²: 65,350,000 × 8850 / 65350 = 8,850,000 fen exactly.
    assert shares == [
        {"id": account.pk, "place": world.compound_a.name, "balance_fen": 65350000, "my_share_fen": 8850000}
    ]
    client.force_login(world.handler_x)
    assert client.get(reverse("funds:account", args=[account.pk])).status_code == 404


def test_the_review_queue_api_pages_before_it_computes_shares(client, setup):
    """The department's queue is a keyset page of its queryset, oldest first, walked by cursor: the
    cost split (a computation per application) runs for the page's rows only."""
    world, officer, account = setup
    for n in range(3):
        app = services.application_create(
            actor=world.rc_staff,
            organiser=world.rc,
            account=account,
            department=world.dept_housing,
            title=f"维修{n}",
            description="d",
            amount_fen=1000 + n,
        )
        app = services.application_emergency(
            actor=world.rc_staff, application=app, kind="lift", reason="困人"
        )
        app = services.application_quote(
            actor=world.rc_staff, application=app, amount_fen=1000, document=doc()
        )
        services.application_submit(actor=world.rc_staff, application=app)
    client.force_login(officer)
    first = client.get("/api/v1/funds/review", {"page_size": 2}).json()
    assert first["count"] == 3 and [a["title"] for a in first["items"]] == ["维修0", "维修1"]
    rest = client.get("/api/v1/funds/review", {"page_size": 2, "after": first["next"]}).json()
    assert [a["title"] for a in rest["items"]] == ["维修2"] and rest["next"] is None
    page = client.get(reverse("funds:review"))  # the page pages the same queryset, oldest first
    assert page.context["page"].count == 3 and [a.title for a in page.context["queue"]] == [
        "维修0",
        "维修1",
        "维修2",
    ]
    client.force_login(world.resident_a)
    assert client.get("/api/v1/funds/review").json()["items"] == []
    assert client.get("/api/v1/funds/accounts", {"page_size": 1}).json()["count"] == 1
