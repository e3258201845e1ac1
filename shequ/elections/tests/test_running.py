"""Organisers run an election from the pages and the API: create, appoint, nominate, the representatives'
roll per building, publicise (≥ 7 days), open, paper ballots, close — with 403/409/422 in zh and en."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shequ.core import clock
from shequ.core.widgets import post_value
from shequ.elections.models import BoxBallot, Election, ElectionEvent, RollEntry
from shequ.elections.tests.factories import api_error, api_token

pytestmark = pytest.mark.django_db
T0 = timezone.make_aware(datetime(2026, 11, 2, 9, 0))
API = "/api/v1/elections"


def _post(client, url, auth, body=None):
    return client.post(url, body or {}, content_type="application/json", **auth)


def test_api_runs_an_env_committee_election_end_to_end(client, world):
    staff = api_token(client, world.rc_staff)
    outsider = api_token(client, world.outsider)
    with clock.frozen(T0):
        new = {
            "organiser_id": world.rc.pk,
            "place_id": world.community.pk,
            "kind": "env_committee",
            "electorate": "representatives",
            "title": "环物会选举",
            "seats": 5,
        }
        body = api_error(_post(client, API, staff, new), 422)
        assert "seats" in body["fields"]
        api_error(_post(client, API, outsider, {**new, "seats": 6}), 403, "not_organiser")
        r = _post(client, API, staff, {**new, "seats": 6, "alternates": 1})
        assert r.status_code == 201, r.content
        eid = r.json()["id"]
        assert r.json()["status"] == "nomination"
        # The composition: a director from the residents' committee, two police vice-directors.
        api_error(
            _post(
                client,
                f"{API}/{eid}/appointed",
                staff,
                {"role": "director", "name": "甲", "party_id": world.police.pk},
            ),
            422,
            "composition",
        )
        assert (
            _post(
                client,
                f"{API}/{eid}/appointed",
                staff,
                {"role": "director", "name": "周主任", "party_id": world.rc.pk},
            ).status_code
            == 201
        )
        for name in ("孙警官", "钱警官"):
            r = _post(
                client,
                f"{API}/{eid}/appointed",
                staff,
                {"role": "vice_director", "name": name, "party_id": world.police.pk},
            )
            assert r.status_code == 201
        api_error(
            _post(
                client,
                f"{API}/{eid}/appointed",
                staff,
                {"role": "vice_director", "name": "多", "party_id": world.police.pk},
            ),
            409,
            "composition",
        )
        for i in range(6):
            r = _post(
                client,
                f"{API}/{eid}/candidates",
                staff,
                {"route": "residents_committee", "name": f"候选人{i}", "statement": "为邻居服务"},
            )
            assert r.status_code == 201, r.content
        api_error(
            _post(
                client,
                f"{API}/{eid}/candidates",
                staff,
                {"route": "owners", "name": "乙", "statement": "x", "nominators": "a、b"},
            ),
            422,
        )
        # A resident stands (self-nomination) through the same endpoint.
        me = api_token(client, world.resident_a)
        r = _post(client, f"{API}/{eid}/candidates", me, {"route": "self", "statement": "我来服务"})
        assert r.status_code == 201 and r.json()["name"] == world.resident_a.real_name
        # The representatives' roll: add by phone, remove, list (organiser only).
        for u in (world.resident_a, world.resident_a2, world.resident_b):
            assert _post(client, f"{API}/{eid}/roll", staff, {"phone": u.phone}).status_code == 201
        api_error(_post(client, f"{API}/{eid}/roll", staff, {"phone": world.outsider.phone}), 422)
        api_error(client.get(f"{API}/{eid}/roll", **outsider), 403, "not_organiser")
        roll = client.get(f"{API}/{eid}/roll", **staff).json()["items"]
        assert len(roll) == 3 and all(not r["voted"] for r in roll)
        gone = next(r for r in roll if r["name"] == world.resident_b.real_name)
        assert client.delete(f"{API}/{eid}/roll/{gone['id']}", **staff).status_code == 204
        assert RollEntry.objects.filter(election_id=eid).count() == 2
        assert ElectionEvent.objects.filter(election_id=eid, kind="representative_removed").count() == 1
        # Publicity must last 7 days.
        short = {
            "opens_at": (T0 + timedelta(days=6)).isoformat(),
            "closes_at": (T0 + timedelta(days=9)).isoformat(),
        }
        api_error(_post(client, f"{API}/{eid}/publicise", staff, short), 422, "publicity_too_short")
        ok = {
            "opens_at": (T0 + timedelta(days=7)).isoformat(),
            "closes_at": (T0 + timedelta(days=10)).isoformat(),
        }
        assert _post(client, f"{API}/{eid}/publicise", staff, ok).json()["status"] == "publicity"
        api_error(
            _post(
                client,
                f"{API}/{eid}/candidates",
                staff,
                {"route": "residents_committee", "name": "晚", "statement": "x"},
            ),
            409,
        )
        api_error(_post(client, f"{API}/{eid}/open", staff), 409, "too_early")
    with clock.frozen(T0 + timedelta(days=7)):
        staff, outsider, me = (
            api_token(client, u) for u in (world.rc_staff, world.outsider, world.resident_a)
        )
        assert _post(client, f"{API}/{eid}/open", staff).json()["status"] == "voting"
        cands = client.get(f"{API}/{eid}", **staff).json()["candidates"]
        c = [x["id"] for x in cands]
        roll = {r["name"]: r["id"] for r in client.get(f"{API}/{eid}/roll", **staff).json()["items"]}
        # A representative votes online; the other on paper, entered by staff.
        assert _post(client, f"{API}/{eid}/vote", me, {"candidate_ids": c[:6]}).status_code == 201
        api_error(
            _post(
                client,
                f"{API}/{eid}/paper",
                staff,
                {"roll_entry_id": roll[world.resident_a.real_name], "candidate_ids": c[:1]},
            ),
            409,
            "already_voted",
        )
        api_error(
            _post(
                client,
                f"{API}/{eid}/paper",
                outsider,
                {"roll_entry_id": roll[world.resident_a2.real_name], "candidate_ids": c[:1]},
            ),
            403,
        )
        api_error(
            _post(
                client,
                f"{API}/{eid}/paper",
                staff,
                {"roll_entry_id": roll[world.resident_a2.real_name], "candidate_ids": c[:7]},
            ),
            422,
            "too_many_choices",
        )
        r = _post(
            client,
            f"{API}/{eid}/paper",
            staff,
            {"roll_entry_id": roll[world.resident_a2.real_name], "candidate_ids": c[:6]},
        )
        assert r.status_code == 201 and len(r.json()["receipt"]) == 14
        assert BoxBallot.objects.filter(election_id=eid).count() == 2
        r = _post(client, f"{API}/{eid}/close", staff)  # everyone voted: may close early
        assert r.status_code == 200 and r.json()["status"] == "closed"
        assert len(r.json()["result"]["elected"]) == 6
    schema = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        API,
        f"{API}/{{election_id}}/candidates",
        f"{API}/{{election_id}}/roll",
        f"{API}/{{election_id}}/paper",
        f"{API}/{{election_id}}/publicise",
        f"{API}/{{election_id}}/open",
        f"{API}/{{election_id}}/appointed",
    ):
        assert path in schema


def test_pages_create_edit_the_roll_and_enter_paper_ballots(client, world, django_assert_max_num_queries):
    client.force_login(world.resident_a)
    assert client.get(reverse("elections:create")).status_code == 403
    client.force_login(world.rc_staff)
    with clock.frozen(T0):
        page = client.get(reverse("elections:create")).content.decode()
        assert "应选名额" in page and world.community.name in page
        r = client.post(
            reverse("elections:create"),
            {
                "organiser": world.rc.pk,
                "place": world.community.pk,
                "kind": "other",
                "electorate": "representatives",
                "title": "楼栋代表选举",
                "seats": "2",
                "max_choices": "3",
            },
        )
        assert r.status_code == 200 and "每票可选人数" in r.content.decode()
        r = client.post(
            reverse("elections:create"),
            {
                "organiser": world.rc.pk,
                "place": world.community.pk,
                "kind": "other",
                "electorate": "representatives",
                "title": "楼栋代表选举",
                "seats": "1",
                "max_choices": "1",
            },
        )
        e = Election.objects.get(title="楼栋代表选举")
        assert r.status_code == 302 and r["Location"] == reverse("elections:detail", args=[e.pk])
        assert "登记提名" in client.get(r["Location"]).content.decode()
        for name in ("甲", "乙"):
            client.post(
                reverse("elections:act", args=[e.pk, "nominate"]),
                {"route": "residents_committee", "name": name, "statement": "服务"},
            )
        roll_url = reverse("elections:roll", args=[e.pk])
        for u in (world.resident_a, world.resident_a2):
            assert client.post(roll_url, {"phone": u.phone}).status_code == 302
        r = client.post(roll_url, {"phone": "13000000000"}, follow=True)
        assert "没有这个手机号的用户" in r.content.decode()
        with django_assert_max_num_queries(10):
            page = client.get(roll_url).content.decode()
        assert world.resident_a.real_name in page and "移除" in page
        client.post(
            reverse("elections:act", args=[e.pk, "publicise"]),
            {
                **post_value("opens_at", T0 + timedelta(days=7)),
                **post_value("closes_at", T0 + timedelta(days=10)),
            },
        )
    with clock.frozen(T0 + timedelta(days=7)):
        client.post(reverse("elections:act", args=[e.pk, "open"]))
        e.refresh_from_db()
        assert e.status == "voting"
        assert "移除" not in client.get(roll_url).content.decode()
        paper_url = reverse("elections:paper", args=[e.pk])
        entry = RollEntry.objects.get(election=e, user=world.resident_a2)
        cand = e.candidates.first()
        r = client.post(paper_url, {"entry": entry.pk, "candidate": [cand.pk]})
        assert r.status_code == 200 and "回执码" in r.content.decode()
        entry.refresh_from_db()
        assert entry.voted and BoxBallot.objects.filter(election=e).count() == 1
        r = client.post(paper_url, {"entry": entry.pk, "candidate": [cand.pk]})
        assert "已经投过票" in r.content.decode() and BoxBallot.objects.filter(election=e).count() == 1
        with django_assert_max_num_queries(12):
            assert client.get(paper_url).status_code == 200
        client.force_login(world.resident_a)
        assert client.get(paper_url).status_code == 403
        assert client.get(roll_url).status_code == 403
