"""The voting window (投票开始 / 投票截止) of a decision and of an election, picked from our Chinese lists:
a good post publicises; a bad one shows the page again with the error (Chinese or English) and every
pick kept (issue #14)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from shequ.core import clock
from shequ.core.widgets import post_value
from shequ.decisions import services
from shequ.decisions.tests.factories import T0
from shequ.elections import services as elections

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    with clock.frozen(T0):
        return services.decision_create(
            actor=world.rc_staff,
            organiser=world.rc,
            compound=world.compound_a,
            matter="use_fund",
            title="更换1号楼电梯",
            body="说明",
            buildings=[],
        )


@pytest.fixture
def nominating(world):
    with clock.frozen(T0):
        e = elections.election_create(
            actor=world.rc_staff,
            organiser=world.rc,
            place=world.community,
            kind="other",
            electorate="representatives",
            title="楼栋代表选举",
            seats=1,
            max_choices=1,
        )
        elections.candidate_nominate(
            actor=world.rc_staff, election=e, route="residents_committee", name="甲", statement="服务"
        )
        return e


def _window(opens, closes=None) -> dict:
    return {**post_value("opens_at", opens), **(post_value("closes_at", closes) if closes else {})}


def _selected(body: str, when) -> bool:
    day, at = post_value("x", when).values()
    return f'<option value="{day}" selected>' in body and f'<option value="{at}" selected>' in body


def test_decision_page_offers_lists_with_a_default_window_that_publicises(client, world, draft):
    client.force_login(world.rc_staff)
    with clock.frozen(T0 + timedelta(minutes=10)):
        body = client.get(reverse("decisions:detail", args=[draft.pk])).content.decode()
        assert 'name="opens_at_0"' in body and "datetime-local" not in body
        assert _selected(body, T0 + timedelta(days=7, minutes=30))  # now + 7 days, next half hour
        assert _selected(body, T0 + timedelta(days=22, minutes=30))  # + the default 15 days
        r = client.post(
            reverse("decisions:act", args=[draft.pk, "publicise"]), _window(T0 + timedelta(days=7))
        )
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "publicity" and draft.opens_at == T0 + timedelta(days=7)
    assert draft.closes_at == T0 + timedelta(days=22)


@pytest.mark.parametrize(
    ("lang", "incomplete", "end_first"),
    [
        ("zh-hans", "投票开始：请选择日期和时间。", "投票期限须在5至60天之间。"),
        ("en", "Voting opens: Choose a date and a time.", "The voting window must be 5 to 60 days."),
    ],
)
def test_decision_bad_window_shows_the_error_and_keeps_the_picks(
    client, world, draft, lang, incomplete, end_first
):
    client.force_login(world.rc_staff)
    client.cookies["django_language"] = lang
    url = reverse("decisions:act", args=[draft.pk, "publicise"])
    opens, closes = T0 + timedelta(days=8), T0 + timedelta(days=7, hours=12)  # closes before it opens
    with clock.frozen(T0):
        r = client.post(url, _window(opens, closes))
        body = r.content.decode()
        assert (
            r.status_code == 422 and end_first in body and _selected(body, opens) and _selected(body, closes)
        )
        assert 'class="field field-error"' in body  # the window field is marked
        r = client.post(url, {"opens_at_0": opens.date().isoformat()})  # a day but no time
        body = r.content.decode()
        assert r.status_code == 422 and incomplete in body
        assert f'<option value="{opens.date().isoformat()}" selected>' in body
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_election_window_publicises_and_a_bad_one_keeps_the_picks(client, world, nominating):
    client.force_login(world.rc_staff)
    url = reverse("elections:act", args=[nominating.pk, "publicise"])
    with clock.frozen(T0):
        body = client.get(reverse("elections:detail", args=[nominating.pk])).content.decode()
        assert 'name="closes_at_1"' in body and "datetime-local" not in body
        opens = T0 + timedelta(days=7)
        r = client.post(url, _window(opens))  # 投票截止 is required for an election
        body = r.content.decode()
        assert r.status_code == 422 and "投票截止：请选择日期和时间。" in body and _selected(body, opens)
        client.cookies["django_language"] = "en"
        r = client.post(url, _window(opens, opens - timedelta(hours=1)))  # ends before it starts
        body = r.content.decode()
        assert r.status_code == 422 and "The voting window must be 1 to 60 days." in body
        assert _selected(body, opens - timedelta(hours=1)) and "投票期限" not in body
        r = client.post(url, _window(opens, opens + timedelta(days=1)))
    assert r.status_code == 302
    nominating.refresh_from_db()
    assert nominating.status == "publicity" and nominating.closes_at == opens + timedelta(days=1)
