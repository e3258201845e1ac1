"""Pages and API of owners' decisions: permissions for every URL, the three-tap vote, turnout without the
running result, the owners-only ballot list, exports, and pinned query counts."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shequ.core import clock
from shequ.decisions import services, voting
from shequ.decisions.models import Ballot, RollVoter
from shequ.decisions.tests.factories import AFTER, VOTING, standard_register, voting_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(world):
    standard_register(world)
    return voting_decision(world)


def login(client, user):
    client.force_login(user)
    return client


def test_owner_votes_in_three_requests_and_sees_the_receipt(client, world, decision):
    login(client, world.resident_a)
    with clock.frozen(VOTING):
        page = client.get(reverse("portal:home"))
        assert "我的投票" in page.content.decode()  # home block: tap 1 opens the vote
        detail = client.get(reverse("decisions:detail", args=[decision.pk]))
        body = detail.content.decode()
        assert 'value="agree"' in body and "参与情况" in body
        confirm = client.get(reverse("decisions:vote", args=[decision.pk]), {"choice": "agree"})  # tap 2
        assert "确认提交" in confirm.content.decode()
        done = client.post(
            reverse("decisions:vote", args=[decision.pk]), {"choice": "agree", "confirm": "1"}
        )  # tap 3
        assert done.status_code == 302 and done["Location"] == reverse(
            "decisions:receipt", args=[decision.pk]
        )
        receipt = client.get(done["Location"]).content.decode()
    ballot = Ballot.objects.get()
    assert f"{decision.pk}-{ballot.pk}" in receipt and "同意" in receipt


def test_turnout_is_visible_but_not_the_running_result(client, world, decision):
    with clock.frozen(VOTING):
        voting.ballot_cast(user=world.resident_a, decision=decision, choice="agree")
        login(client, world.resident_b)  # an owner of another compound: the public
        body = client.get(reverse("decisions:detail", args=[decision.pk])).content.decode()
        assert "1 / 5" in body and "表决结果" not in body
        api = client.get(f"/api/v1/decisions/{decision.pk}").json()
        assert api["turnout"]["voted_owners"] == 1 and api["result"] is None
        # the per-unit list is for the compound's owners only
        assert client.get(reverse("decisions:ballots", args=[decision.pk])).status_code == 403
        assert client.get(f"/api/v1/decisions/{decision.pk}/ballots").status_code == 403
        login(client, world.resident_a2)
        rows = client.get(f"/api/v1/decisions/{decision.pk}/ballots").json()["items"]
        assert any(r["voted"] for r in rows) and all(r["choice"] is None for r in rows)  # not before closing


def test_after_closing_owners_see_each_units_ballot_and_the_public_only_counts(client, world, decision):
    with clock.frozen(VOTING):
        voting.ballot_cast(user=world.resident_a, decision=decision, choice="disagree")
    with clock.frozen(AFTER):
        services.decision_close(actor=world.rc_staff, decision=decision)
    login(client, world.resident_a2)
    rows = {r["label"]: r for r in client.get(f"/api/v1/decisions/{decision.pk}/ballots").json()["items"]}
    assert rows["1号楼1单元101"]["choice"] == "disagree"
    wb = load_workbook(io.BytesIO(client.get(reverse("decisions:export", args=[decision.pk])).content))
    assert wb.sheetnames == ["概况与计票", "逐户表决", "操作记录"]
    login(client, world.resident_b)
    wb = load_workbook(io.BytesIO(client.get(reverse("decisions:export", args=[decision.pk])).content))
    assert wb.sheetnames == ["概况与计票"]
    body = client.get(reverse("decisions:detail", args=[decision.pk])).content.decode()
    assert "表决结果" in body and "逐户表决情况" not in body


def test_api_refusals_have_status_codes_and_change_nothing(client, world, decision):
    login(client, world.resident_a)
    url = f"/api/v1/decisions/{decision.pk}/vote"
    with clock.frozen(VOTING):
        assert client.post(url, {"choice": "maybe"}, content_type="application/json").status_code == 422
        assert client.post(url, {"choice": "agree"}, content_type="application/json").status_code == 201
        second = client.post(url, {"choice": "agree"}, content_type="application/json")
        assert second.status_code == 409 and second.json()["error"]["message_en"]
        login(client, world.resident_b)
        assert client.post(url, {"choice": "agree"}, content_type="application/json").status_code == 403
        assert client.post(f"/api/v1/decisions/{decision.pk}/close").status_code == 403
    with clock.frozen(AFTER):
        login(client, world.resident_a2)
        assert client.post(url, {"choice": "agree"}, content_type="application/json").status_code == 409
    assert Ballot.objects.count() == 1


def test_api_organiser_flow_and_paper_ballot(client, world):
    standard_register(world)
    login(client, world.rc_staff)
    with clock.frozen(VOTING):
        created = client.post(
            "/api/v1/decisions",
            {
                "organiser_id": world.rc.pk,
                "compound_id": world.compound_a.pk,
                "matter": "raise_fund",
                "title": "续筹维修资金",
                "body": "说明",
            },
            content_type="application/json",
        )
        assert created.status_code == 201 and created.json()["major"] is True
        pk = created.json()["id"]
        bad = client.post(
            f"/api/v1/decisions/{pk}/publicise",
            {"opens_at": "2026-11-10T09:00:00+08:00", "closes_at": "2026-11-11T09:00:00+08:00"},
            content_type="application/json",
        )
        assert bad.status_code == 422
        ok = client.post(
            f"/api/v1/decisions/{pk}/publicise",
            {"opens_at": "2026-11-12T09:00:00+08:00"},
            content_type="application/json",
        )
        assert ok.status_code == 200 and ok.json()["status"] == "publicity"
        assert client.post(f"/api/v1/decisions/{pk}/open").status_code == 409
    with clock.frozen(AFTER):
        assert client.post(f"/api/v1/decisions/{pk}/open").json()["status"] == "voting"
        voter = RollVoter.objects.get(decision_id=pk, name="王五")
        from django.core.files.uploadedfile import SimpleUploadedFile

        r = client.post(
            f"/api/v1/decisions/{pk}/paper",
            {
                "voter_id": voter.pk,
                "choice": "agree",
                "channel": "paper",
                "document": SimpleUploadedFile("p.jpg", b"\xff\xd8x"),
            },
        )
        assert r.status_code == 201, r.content
        assert (
            client.post(
                f"/api/v1/decisions/{pk}/paper",
                {
                    "voter_id": voter.pk,
                    "choice": "agree",
                    "channel": "paper",
                    "document": SimpleUploadedFile("p.jpg", b"\xff\xd8x"),
                },
            ).status_code
            == 409
        )


def test_every_page_checks_permissions(client, world, decision):
    urls = [
        reverse("decisions:index"),
        reverse("decisions:detail", args=[decision.pk]),
        reverse("decisions:my_register"),
        reverse("decisions:create"),
        reverse("decisions:register", args=[world.compound_a.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous → login
    login(client, world.resident_a)
    assert client.get(reverse("decisions:create")).status_code == 403
    assert client.get(reverse("decisions:register", args=[world.compound_a.pk])).status_code == 403
    assert client.post(reverse("decisions:act", args=[decision.pk, "close"])).status_code == 403
    mine = client.get(reverse("decisions:my_register")).content.decode()
    assert "1号楼1单元101" in mine and "88.50" in mine
    login(client, world.rc_staff)
    assert client.get(reverse("decisions:create")).status_code == 200
    page = client.get(reverse("decisions:register", args=[world.compound_a.pk]))
    assert page.status_code == 200 and "甲开发公司" in page.content.decode()
    xlsx = client.get(reverse("decisions:register", args=[world.compound_a.pk]), {"format": "xlsx"})
    assert load_workbook(io.BytesIO(xlsx.content)).active.max_row == 10


def test_organiser_closes_from_the_page_and_the_result_is_posted(client, world, decision):
    login(client, world.rc_staff)
    with clock.frozen(AFTER):
        r = client.post(reverse("decisions:act", args=[decision.pk, "close"]))
        assert r.status_code == 302
        decision.refresh_from_db()
        assert decision.status == "closed" and decision.notice_id


def test_pages_run_a_constant_number_of_queries(client, world, decision, django_assert_max_num_queries):
    with clock.frozen(VOTING):
        voting.ballot_cast(user=world.resident_a, decision=decision, choice="agree")
    with clock.frozen(AFTER):
        services.decision_close(actor=world.rc_staff, decision=decision)
    login(client, world.resident_a2)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("decisions:detail", args=[decision.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("decisions:ballots", args=[decision.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("decisions:index")).status_code == 200


def test_my_register_api_pages_the_queryset(client, world, decision, django_assert_max_num_queries):
    """`/register/mine` pages an ordered queryset by keyset (the one envelope), not a list in memory."""
    from shequ.decisions import selectors

    assert client.get("/api/v1/register/mine").status_code == 401
    login(client, world.resident_a)
    mine = selectors.my_register(user=world.resident_a)
    assert mine.ordered and mine.count() >= 1
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/register/mine", {"page_size": 1}).json()
    assert body["count"] == mine.count() and len(body["items"]) == 1
    assert body["items"][0]["unit"] == mine.first().unit.label
    login(client, world.outsider)
    assert client.get("/api/v1/register/mine").json()["items"] == []


def test_the_ballot_list_pages_by_keyset_through_the_page_and_the_api(
    client, world, decision, django_assert_max_num_queries
):
    """The per-unit ballot list is an ordered queryset paged by cursor: every unit exactly once across
    the pages, the ballot shown once closed, and a page's queries do not grow with the roll."""
    from shequ.decisions import selectors

    with clock.frozen(VOTING):
        voting.ballot_cast(user=world.resident_a, decision=decision, choice="disagree")
    with clock.frozen(AFTER):
        services.decision_close(actor=world.rc_staff, decision=decision)
    units = selectors.ballot_list(user=world.resident_a2, decision=decision)
    assert units.ordered
    labels = list(units.values_list("label", flat=True))
    assert len(labels) >= 3
    login(client, world.resident_a2)
    seen, url = [], f"/api/v1/decisions/{decision.pk}/ballots?page_size=2"
    while url:
        with django_assert_max_num_queries(12):
            body = client.get(url).json()
        assert body["count"] == len(labels) and len(body["items"]) <= 2
        seen += body["items"]
        url = (
            f"/api/v1/decisions/{decision.pk}/ballots?page_size=2&after={body['next']}"
            if body["next"]
            else ""
        )
    assert [r["label"] for r in seen] == labels
    cast = [r for r in seen if r["voted"]]
    assert len(cast) == 1 and cast[0]["choice"] == "disagree" and cast[0]["channel"] == "online"
    assert all(r["choice"] is None for r in seen if not r["voted"])
    page = client.get(reverse("decisions:ballots", args=[decision.pk])).content.decode()
    assert all(label in page for label in labels) and "反对" in page
