"""An elderly owner on a 390 px phone opens the open vote from the home page, votes in three taps and sees
the receipt; the organiser closes the vote on a desktop and the result is posted on the board.

Screenshots (390 px normal and large type, 1280 px) go to /tmp/shots/votes/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shequ.conftest import needs_chromium, signed_in_context
from shequ.core import clock
from shequ.decisions.models import Ballot, Decision
from shequ.decisions.tests.factories import AFTER, VOTING, standard_register, voting_decision
from shequ.notices.models import Notice

SHOTS = Path(os.environ.get("SHEQU_SHOTS", "/tmp/shots/votes"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
pytestmark = [pytest.mark.browser, needs_chromium]


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_elderly_owner_votes_in_three_taps_and_the_organiser_posts_the_result(browser, live_server, world):
    world.resident_a.birth_year = 1948
    world.resident_a.save(update_fields=["birth_year"])
    standard_register(world)
    decision = voting_decision(world)
    clock.set_now(VOTING)
    try:
        for large in (False, True):
            ctx = signed_in_context(browser, live_server, world.resident_a, PHONE, large=large)
            page = ctx.new_page()
            page.goto(f"{live_server.url}/")
            suffix = "-large" if large else ""
            _shot(page, f"home-390{suffix}")
            page.locator("a.vote-link").first.click()  # tap 1: from the home page
            _shot(page, f"vote-390{suffix}")
            if large:
                ctx.close()
                break
            page.click("button.vote-choice.agree")  # tap 2: 同意
            _shot(page, "confirm-390")
            page.click("#confirm-vote")  # tap 3: 确认提交
            page.wait_for_selector("#receipt")
            _shot(page, "receipt-390")
            ballot = Ballot.objects.get(decision=decision)
            assert f"{decision.pk}-{ballot.pk}" in page.inner_text("#receipt")
            ctx.close()
        assert Ballot.objects.filter(decision=decision).count() == 1

        clock.set_now(AFTER)
        ctx = signed_in_context(browser, live_server, world.rc_staff, DESKTOP)
        page = ctx.new_page()
        page.goto(f"{live_server.url}/decisions/{decision.pk}/")
        page.click("#close-vote")
        page.wait_for_selector(".outcome")
        _shot(page, "closed-1280")
        decision = Decision.objects.get(pk=decision.pk)
        notice = Notice.objects.get(pk=decision.notice_id)
        page.goto(f"{live_server.url}/notices/{notice.pk}/")
        assert "结果公示" in page.content()
        _shot(page, "posted-1280")
        page.set_viewport_size(PHONE)
        page.goto(f"{live_server.url}/decisions/{decision.pk}/")
        _shot(page, "closed-390")
        ctx.close()
    finally:
        clock.set_now(None)
