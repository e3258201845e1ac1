"""In Chromium: an elderly owner on a 390 px phone opens the owners'-committee election from the home page and
votes in three taps (open, tick, send), sees their named ballot; the organiser closes it on a desktop and the
result with area and headcount is posted on the board. A screenshots-only walk photographs the secret
election (vote, receipt, published box) and the fund pages.

Screenshots (390 px normal and large type, 1280 px) go to /tmp/shots/elections/ with SHEQU_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shequ.conftest import needs_chromium, signed_in_context
from shequ.core import clock
from shequ.decisions.tests.factories import standard_register
from shequ.elections import voting
from shequ.elections.models import Election, NamedBallot, RollEntry
from shequ.elections.tests.factories import AFTER, VOTING, owners_election, photo
from shequ.notices.models import Notice

SHOTS = Path(os.environ.get("SHEQU_SHOTS", "/tmp/shots/elections"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
pytestmark = [pytest.mark.browser, needs_chromium]


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _shots(browser, live_server, user, url, name):
    """The page at 390 px in normal and large type and at 1280 px."""
    for viewport, large, suffix in (
        (PHONE, False, "390"),
        (PHONE, True, "390-large"),
        (DESKTOP, False, "1280"),
    ):
        ctx = signed_in_context(browser, live_server, user, viewport, large=large)
        page = ctx.new_page()
        page.goto(f"{live_server.url}{url}")
        _shot(page, f"{name}-{suffix}")
        ctx.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_elderly_owner_elects_the_owners_committee_in_three_taps(browser, live_server, world):
    world.resident_a.birth_year = 1948
    world.resident_a.save(update_fields=["birth_year"])
    standard_register(world)
    election = owners_election(world)
    first = election.candidates.order_by("id").first()
    clock.set_now(VOTING)
    try:
        ctx = signed_in_context(browser, live_server, world.resident_a, PHONE, large=True)
        page = ctx.new_page()
        page.goto(f"{live_server.url}/")
        page.locator(f"a[href='/elections/{election.pk}/']").first.click()  # tap 1: from the home page
        _shot(page, "owners-vote-390-large")
        page.locator("label.choice.candidate").first.click()  # tap 2: tick the first candidate
        page.click("button.btn-huge")  # tap 3: send
        page.wait_for_selector("#receipt")
        assert first.name in page.inner_text("#receipt")
        _shot(page, "owners-receipt-390-large")
        ctx.close()
        ballot = NamedBallot.objects.get(election=election)
        assert ballot.choices == [first.pk] and ballot.channel == "online"
        for entry in RollEntry.objects.filter(election=election, voted=False):  # the rest on paper
            voting.election_enter_paper(
                actor=world.rc_staff,
                election=election,
                roll_entry_id=entry.pk,
                candidate_ids=[first.pk],
                document=photo(),
            )
        clock.set_now(AFTER)
        ctx = signed_in_context(browser, live_server, world.rc_staff, DESKTOP)
        page = ctx.new_page()
        page.goto(f"{live_server.url}/elections/{election.pk}/")
        page.click("form[action$='/close'] button")
        page.wait_for_selector("text=选举结果")
        _shot(page, "owners-closed-1280")
        election = Election.objects.get(pk=election.pk)
        assert election.status == "closed" and election.result["elected"] == [first.pk]
        page.goto(f"{live_server.url}/notices/{election.notice_id}/")
        text = page.content()
        assert "选举结果公示" in text and "同意 5 人、653.5 平方米" in text
        _shot(page, "owners-posted-1280")
        ctx.close()
        assert Notice.objects.filter(pk=election.notice_id).exists()
        for name, url in (
            ("owners-result", f"/elections/{election.pk}/"),
            ("owners-ballots", f"/elections/{election.pk}/ballots"),
        ):
            _shots(browser, live_server, world.resident_a, url, name)
    finally:
        clock.set_now(None)


@pytest.mark.screenshots
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_photograph_the_secret_election_and_the_fund(browser, live_server, world):
    from shequ.elections import services
    from shequ.elections.tests.test_elections import VOTING as SECRET_VOTING
    from shequ.elections.tests.test_elections import env_election
    from shequ.funds import services as funds
    from shequ.funds.models import FundAccount
    from shequ.funds.tests.test_funds import passed_decision

    e = env_election(world)
    ids = list(e.candidates.order_by("id").values_list("pk", flat=True))
    clock.set_now(SECRET_VOTING)
    try:
        _shots(browser, live_server, world.resident_a, f"/elections/{e.pk}/", "secret-vote")
        ctx = signed_in_context(browser, live_server, world.resident_a, PHONE)
        page = ctx.new_page()
        page.goto(f"{live_server.url}/elections/{e.pk}/")
        page.locator("label.choice.candidate").first.click()
        page.click("button.btn-huge")
        page.wait_for_selector("#receipt")
        _shot(page, "secret-receipt-390")
        ctx.close()
        for u in (world.resident_a2, world.resident_b):
            voting.election_vote(user=u, election=e, candidate_ids=ids[:6])
        roll = RollEntry.objects.filter(election=e, voted=False)
        for entry in roll:
            voting.election_enter_paper(
                actor=world.rc_staff, election=e, roll_entry_id=entry.pk, candidate_ids=ids[1:4]
            )
        services.election_close(actor=world.rc_staff, election=Election.objects.get(pk=e.pk))
        _shots(browser, live_server, world.outsider, f"/elections/{e.pk}/", "secret-result")
        _shots(browser, live_server, world.outsider, f"/elections/{e.pk}/box", "secret-box")
    finally:
        clock.set_now(None)
    standard_register(world)
    account = FundAccount.objects.create(place=world.compound_a)
    funds.ledger_post(actor=None, account=account, kind="deposit", amount_fen=65350000, note="首期交存")
    decision = passed_decision(world)
    app = funds.application_create(
        actor=world.rc_staff,
        organiser=world.rc,
        account=account,
        department=world.dept_housing,
        title="更换1号楼电梯",
        description="21年老梯，申请使用维修资金更换。",
        amount_fen=30000000,
        beneficiaries=[world.building_a1],
    )
    funds.application_link_decision(actor=world.rc_staff, application=app, decision=decision)
    _shots(browser, live_server, world.resident_a, f"/funds/account/{account.pk}/", "fund-account")
    _shots(browser, live_server, world.resident_a, f"/funds/application/{app.pk}/", "fund-application")
    _shots(
        browser, live_server, world.rc_staff, f"/funds/application/{app.pk}/", "fund-application-organiser"
    )
