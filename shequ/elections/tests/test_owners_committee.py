"""Owners'-committee elections under Civil Code art. 278 (item 3): named ballots counted by area AND headcount
(docs/decisions/0006). Every figure below is computed by hand in the comment beside it."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from shequ.accounts.models import Residency
from shequ.conftest import make_user
from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.decisions import register
from shequ.decisions.models import ExclusiveUnit
from shequ.decisions.tests.factories import standard_register
from shequ.elections import counting, services, voting
from shequ.elections.models import BoxBallot, Election, NamedBallot, RollEntry
from shequ.elections.tests.factories import (
    AFTER,
    T0,
    VOTING,
    api_error,
    api_token,
    cids,
    owners_election,
    photo,
)
from shequ.notices.models import Notice

pytestmark = pytest.mark.django_db


def run(voters, ballots, candidates=(1,), seats=1, alternates=0):
    return counting.owners_elect(
        voters=voters, ballots=ballots, candidates=candidates, seats=seats, alternates=alternates
    )


# --- the count, by hand (areas in hundredths of m²) -------------------------------------------------------


def test_exactly_half_of_the_area_fails_and_just_over_passes():
    voters = {1: 5000, 2: 4999, 3: 1}  # 100 m², three owners, all vote
    # Candidate 1 named by owners 2 and 3: 2 of 3 owners, but 5000 of 10000 = exactly half the area → fails.
    out = run(voters, [(1, [2]), (2, [1]), (3, [1])], candidates=(1, 2))
    assert out.tallies[1].agree_area == 5000 and not out.tallies[1].agree_area_ok
    assert out.tallies[1].agree_owners_ok and not out.tallies[1].passed
    # Named by owners 1 and 3 instead: 5001 of 10000, just over half, and 2 of 3 owners → passes.
    out = run(voters, [(1, [1]), (2, [2]), (3, [1])], candidates=(1, 2))
    assert out.tallies[1].agree_area == 5001 and out.tallies[1].passed
    assert out.outcome.elected == [1]


def test_exactly_half_of_the_owners_fails_and_just_over_passes():
    voters = {1: 3000, 2: 3000, 3: 2000, 4: 2000}
    # Named by 1 and 2: 6000 of 10000 area (over half) but 2 of 4 owners = exactly half → fails.
    out = run(voters, [(1, [1]), (2, [1]), (3, [2]), (4, [2])], candidates=(1, 2))
    assert not out.tallies[1].agree_owners_ok and out.tallies[1].agree_area_ok and not out.tallies[1].passed
    assert out.outcome.elected == []
    # Five owners, named by 3 of 5 (just over half) holding 6000 of 11000 (over half) → passes.
    out = run({**voters, 5: 1000}, [(1, [1]), (2, [1]), (3, [1]), (4, [2]), (5, [2])], candidates=(1, 2))
    assert out.tallies[1].agree_owners == 3 and out.tallies[1].passed and out.outcome.elected == [1]


def test_area_and_headcount_disagreeing_elects_nobody():
    voters = {1: 7000, 2: 1000, 3: 1000, 4: 1000}
    # Candidate 1: the three small owners (3 of 4 heads, 3000 of 10000 area). Candidate 2: the big owner alone
    # (7000 of 10000 area, 1 of 4 heads). Neither has both majorities.
    out = run(voters, [(1, [2]), (2, [1]), (3, [1]), (4, [1])], candidates=(1, 2), seats=2)
    assert out.tallies[1].agree_owners_ok and not out.tallies[1].agree_area_ok
    assert out.tallies[2].agree_area_ok and not out.tallies[2].agree_owners_ok
    assert out.passing == [] and out.outcome.elected == [] and out.outcome.open_seats == 2


def test_quorum_exactly_two_thirds_passes_and_just_under_fails():
    # Exactly 2/3 of both: 2 of 3 owners holding 6000 of 9000.
    out = run({1: 3000, 2: 3000, 3: 3000}, [(1, [1]), (2, [1])])
    assert out.quorum and out.outcome.elected == [1]
    # Just under in area: 2 of 3 owners (exactly 2/3 of heads) but 6666 of 10000 area (< 6666.67).
    out = run({1: 3333, 2: 3333, 3: 3334}, [(1, [1]), (2, [1])])
    assert out.participation.quorum_owners and not out.participation.quorum_area
    assert not out.quorum and out.outcome.elected == []
    # With owner 3 instead of 2: 6667 of 10000 → just over 2/3, quorum.
    assert run({1: 3333, 2: 3333, 3: 3334}, [(1, [1]), (3, [1])]).quorum
    # Just under in heads: 90% of the area but 2 of 4 owners (< 2/3).
    out = run({1: 4500, 2: 4500, 3: 500, 4: 500}, [(1, [1]), (2, [1])])
    assert out.participation.quorum_area and not out.participation.quorum_owners
    assert not out.quorum and out.outcome.elected == []


def test_seats_go_to_the_most_agreeing_owners_among_those_who_pass_with_ties_and_alternates():
    voters = {i: 1000 for i in range(1, 8)}
    voters[7] = 9000  # one owner holds 9000 of 15000
    # 5 seats… here 2 seats, 1 alternate. Agreeing owners (area):
    #   cand 1: owners 1–6 = 6 heads, 6000 area of 15000 → fails on area although it has the most votes;
    #   cand 2: owners 1–4, 7 = 5 heads, 13000 → passes;  cand 3: owners 1–3, 7 = 4 heads, 12000 → passes;
    #   cand 4: owners 1–3, 7 = 4 heads, 12000 → passes (ties cand 3);  cand 5: owner 7 alone → fails.
    ballots = [
        (1, [1, 2, 3, 4]),
        (2, [1, 2, 3, 4]),
        (3, [1, 2, 3, 4]),
        (4, [1, 2]),
        (5, [1]),
        (6, [1]),
        (7, [2, 3, 4, 5]),
    ]
    out = run(voters, ballots, candidates=(1, 2, 3, 4, 5), seats=2, alternates=1)
    assert not out.tallies[1].passed and out.tallies[1].agree_owners == 6
    assert out.passing == [2, 3, 4]
    # Cand 2 first; 3 and 4 tie for the last seat → a run-off for one seat; no alternate left over.
    assert out.outcome.elected == [2] and out.outcome.tied == [3, 4] and out.outcome.open_seats == 1
    assert out.outcome.alternates == []
    # Three seats: 2, 3, 4 elected; the failing cand 1 is not an alternate despite the most votes.
    out = run(voters, ballots, candidates=(1, 2, 3, 4, 5), seats=3, alternates=2)
    assert sorted(out.outcome.elected) == [2, 3, 4] and out.outcome.alternates == []


# --- through the register and the services ----------------------------------------------------------------


def test_owners_committee_is_named_and_only_for_the_owners_of_a_compound(world):
    with clock.frozen(T0):
        with pytest.raises(Invalid) as exc:
            services.election_create(
                actor=world.rc_staff,
                organiser=world.rc,
                place=world.community,
                kind="owners_committee",
                electorate="representatives",
                title="x",
                seats=5,
            )
        assert "electorate" in exc.value.fields
        e = services.election_create(
            actor=world.rc_staff,
            organiser=world.rc,
            place=world.compound_a,
            kind="owners_committee",
            electorate="owners",
            title="x",
            seats=5,
        )
    assert e.method == "owners_278" and e.is_named
    other = services.election_create(
        actor=world.rc_staff,
        organiser=world.rc,
        place=world.community,
        kind="env_committee",
        electorate="representatives",
        title="y",
        seats=6,
    )
    assert other.method == "secret"


def test_the_register_gives_the_roll_developer_as_one_buyer_once_and_the_count_posts_area_and_heads(
    world, owners_vote
):
    e = owners_vote
    c = cids(e)
    roll = {r.name: r for r in RollEntry.objects.filter(election=e)}
    # 张三 88.50, 张小三 75, the developer's three unsold units as ONE owner (300), 王五's two flats ONCE
    # (60 + 40), 赵六 for the co-owned 107 (90): 5 owners, 653.50 m².
    assert sorted(roll) == sorted(["张三", "张小三", "甲开发公司", "王五", "赵六"])
    assert roll["甲开发公司"].area == Decimal("300.00") and len(roll["甲开发公司"].units) == 3
    assert roll["王五"].area == Decimal("100.00") and len(roll["王五"].units) == 2
    with clock.frozen(VOTING):
        assert voting.election_vote(user=world.resident_a, election=e, candidate_ids=[c["甲"]]) is None
        voting.election_vote(user=world.resident_a2, election=e, candidate_ids=[c["甲"], c["乙"]])
        for name, picks in (("甲开发公司", ["乙"]), ("王五", ["甲", "丙"]), ("赵六", ["甲"])):
            voting.election_enter_paper(
                actor=world.rc_staff,
                election=e,
                roll_entry_id=roll[name].pk,
                candidate_ids=[c[p] for p in picks],
                document=photo(),
            )
        e = services.election_close(actor=world.rc_staff, election=e)  # everyone voted: early close
    r = e.result
    assert (r["total_owners"], r["total_area"], r["voted_owners"], r["voted_area"]) == (
        5,
        "653.5",
        5,
        "653.5",
    )
    # 甲: 张三, 张小三, 王五, 赵六 = 4 of 5 owners, 88.5 + 75 + 100 + 90 = 353.5 of 653.5 m² → passes.
    # 乙: 张小三 and the developer = 2 of 5 owners (the developer's three units are ONE owner; as three it
    #     would be 4 of 7) although 375 m² is over half the area → fails. 丙: 王五 alone → fails.
    a, b, cc = (r["candidates"][str(c[n])] for n in ("甲", "乙", "丙"))
    assert (a["agree_owners"], a["agree_area"], a["passed"]) == (4, "353.5", True)
    assert (b["agree_owners"], b["agree_area"], b["agree_area_ok"], b["passed"]) == (2, "375", True, False)
    assert (cc["agree_owners"], cc["passed"]) == (1, False)
    assert r["elected"] == [c["甲"]] and r["open_seats"] == 1
    notice = Notice.objects.get(title__contains="选举结果公示")
    assert "同意 4 人、353.5 平方米" in notice.body and "参与投票 5 人、653.5 平方米" in notice.body
    assert BoxBallot.objects.filter(election=e).count() == 0  # nothing in a secret box


def test_refusals_in_zh_and_en_change_nothing(world):
    standard_register(world)
    tenant = make_user("13800000099", "租客")
    Residency.objects.create(user=tenant, household=world.household_a, relation="tenant", status="verified")
    pending = make_user("13800000098", "待认证")
    Residency.objects.create(user=pending, household=world.household_a, relation="owner", status="pending")
    qian = make_user("13700000007", "钱七")
    hh = ExclusiveUnit.objects.get(label="1号楼1单元107").household
    Residency.objects.create(user=qian, household=hh, relation="owner", status="verified")
    register.register_link_users(compound=world.compound_a)
    e = owners_election(world)
    c = list(cids(e).values())
    wang = RollEntry.objects.get(election=e, name="王五")
    zhang = RollEntry.objects.get(election=e, name="张三")
    with clock.frozen(VOTING):
        for user, code in (
            (tenant, "tenant"),
            (pending, "unverified"),
            (world.outsider, "not_owner"),
            (world.resident_b, "not_owner"),
            (qian, "not_representative"),
        ):
            with pytest.raises(Forbidden) as exc:
                voting.election_vote(user=user, election=e, candidate_ids=c[:1])
            assert exc.value.code == code and exc.value.message_en
        with pytest.raises(Invalid) as exc:  # 3 > 2 choices
            voting.election_vote(user=world.resident_a, election=e, candidate_ids=c)
        assert exc.value.code == "too_many_choices"
        with pytest.raises(Invalid) as exc:  # a named paper ballot needs the photo of the signed ballot
            voting.election_enter_paper(
                actor=world.rc_staff, election=e, roll_entry_id=wang.pk, candidate_ids=c[:1]
            )
        assert exc.value.code == "document_required"
        with pytest.raises(Invalid):  # a proxy needs the proxy's name
            voting.election_enter_paper(
                actor=world.rc_staff,
                election=e,
                roll_entry_id=wang.pk,
                candidate_ids=c[:1],
                document=photo(),
                channel="proxy",
            )
        with pytest.raises(Forbidden):  # only the organiser enters paper ballots
            voting.election_enter_paper(
                actor=world.resident_a,
                election=e,
                roll_entry_id=wang.pk,
                candidate_ids=c[:1],
                document=photo(),
            )
        voting.election_vote(user=world.resident_a, election=e, candidate_ids=c[:1])
        with pytest.raises(Conflict) as exc:
            voting.election_vote(user=world.resident_a, election=e, candidate_ids=c[:1])
        assert exc.value.code == "already_voted"
        with pytest.raises(Conflict) as exc:  # a paper ballot for an owner who voted online
            voting.election_enter_paper(
                actor=world.rc_staff,
                election=e,
                roll_entry_id=zhang.pk,
                candidate_ids=c[1:2],
                document=photo(),
            )
        assert exc.value.code == "already_voted"
    with clock.frozen(AFTER), pytest.raises(Conflict) as exc:
        voting.election_vote(user=world.resident_a2, election=e, candidate_ids=c[:1])
    assert exc.value.code == "not_voting"
    assert NamedBallot.objects.filter(election=e).count() == 1
    assert RollEntry.objects.filter(election=e, voted=True).count() == 1


def test_a_secret_paper_ballot_takes_no_photo(world):
    from shequ.elections.tests.test_elections import env_election

    e = env_election(world)
    entry = RollEntry.objects.filter(election=e).first()
    with clock.frozen(VOTING), pytest.raises(Invalid) as exc:
        voting.election_enter_paper(
            actor=world.rc_staff,
            election=e,
            roll_entry_id=entry.pk,
            candidate_ids=list(e.candidates.values_list("pk", flat=True))[:1],
            document=photo(),
        )
    assert exc.value.code == "secret_ballot"
    assert not RollEntry.objects.filter(election=e, voted=True).exists()


def test_one_named_ballot_per_owner_is_a_database_constraint(world):
    constraints = connection.introspection.get_constraints(connection.cursor(), NamedBallot._meta.db_table)
    assert any(c["unique"] and set(c["columns"]) == {"election_id", "voter_id"} for c in constraints.values())


# --- pages and API ----------------------------------------------------------------------------------------


def test_api_votes_paper_ballots_and_the_owners_list(client, world, owners_vote):
    e = owners_vote
    c = cids(e)
    api = f"/api/v1/elections/{e.pk}"
    owner, staff, outsider = (
        api_token(client, world.resident_a),
        api_token(client, world.rc_staff),
        api_token(client, world.outsider),
    )
    wang = RollEntry.objects.get(election=e, name="王五")
    with clock.frozen(VOTING):
        body = client.get(api, **owner).json()
        assert body["method"] == "owners_278" and body["turnout"]["total_owners"] == 5
        assert body["turnout"]["total_area"] == "653.5" and body["turnout"]["voted_owners"] == 0
        api_error(
            client.post(
                f"{api}/vote", {"candidate_ids": [c["甲"]]}, content_type="application/json", **outsider
            ),
            403,
            "not_owner",
        )
        r = client.post(f"{api}/vote", {"candidate_ids": [c["甲"]]}, content_type="application/json", **owner)
        assert r.status_code == 201 and r.json() == {"receipt": None, "named": True}
        api_error(
            client.post(
                f"{api}/vote", {"candidate_ids": [c["甲"]]}, content_type="application/json", **owner
            ),
            409,
            "already_voted",
        )
        api_error(
            client.post(
                f"{api}/named-paper", {"roll_entry_id": wang.pk, "candidate_ids": [c["甲"]]}, **staff
            ),
            422,
            "document_required",
        )
        api_error(
            client.post(
                f"{api}/named-paper",
                {"roll_entry_id": wang.pk, "candidate_ids": [c["甲"], c["乙"], c["丙"]], "document": photo()},
                **staff,
            ),
            422,
            "too_many_choices",
        )
        r = client.post(
            f"{api}/named-paper",
            {"roll_entry_id": wang.pk, "candidate_ids": [c["甲"], c["丙"]], "document": photo()},
            **staff,
        )
        assert r.status_code == 201, r.content
        body = client.get(api, **owner).json()
        assert body["turnout"]["voted_owners"] == 2 and body["turnout"]["voted_area"] == "188.5"
        assert body["result"] is None  # never the running result
        api_error(client.get(f"{api}/ballots", **outsider), 403, "owners_only")
        lines = client.get(f"{api}/ballots", **owner).json()["items"]
        assert {x["voter"]: x["voted"] for x in lines}["王五"] is True
        assert all(x["choices"] is None for x in lines)  # whom they chose only after the close
    with clock.frozen(AFTER):
        owner, staff, outsider = (
            api_token(client, u) for u in (world.resident_a, world.rc_staff, world.outsider)
        )
        api_error(client.post(f"{api}/close", **outsider), 403)
        r = client.post(f"{api}/close", **staff)
        assert r.status_code == 200, r.content
        # 2 of 5 owners and 188.5 of 653.5 m² took part: no quorum, nobody elected.
        assert r.json()["result"]["quorum"] is False and r.json()["result"]["elected"] == []
        lines = {x["voter"]: x for x in client.get(f"{api}/ballots", **owner).json()["items"]}
        assert lines["王五"]["choices"] == [c["甲"], c["丙"]] and lines["王五"]["units"] == [
            "1号楼1单元105",
            "1号楼1单元106",
        ]
        assert lines["赵六"]["voted"] is False


def test_pages_vote_in_two_taps_and_post_the_result(client, world, owners_vote):
    e = owners_vote
    c = cids(e)
    detail = reverse("elections:detail", args=[e.pk])
    client.force_login(world.resident_a)
    with clock.frozen(VOTING):
        page = client.get(detail).content.decode()
        assert "记名投票" in page and "参与投票面积" in page
        r = client.post(reverse("elections:vote", args=[e.pk]), {"candidate": [c["甲"]]})
        assert r.status_code == 302 and r.url == reverse("elections:receipt", args=[e.pk])
        page = client.get(r.url).content.decode()
        assert "您的记名选票" in page and "甲" in page
        roll = {x.name: x for x in RollEntry.objects.filter(election=e)}
        client.force_login(world.rc_staff)
        for name in ("张小三", "甲开发公司", "王五", "赵六"):
            r = client.post(
                reverse("elections:paper", args=[e.pk]),
                {"entry": roll[name].pk, "candidate": [c["甲"]], "channel": "paper", "document": photo()},
            )
            assert r.status_code == 200 and "纸质选票已录入" in r.content.decode()
        client.post(reverse("elections:act", args=[e.pk, "close"]))
    e.refresh_from_db()
    assert e.status == "closed" and e.result["elected"] == [c["甲"]]
    client.force_login(world.outsider)
    page = client.get(detail).content.decode()
    assert "同意 5 人 · 653.5 ㎡" in page and "当选" in page
    assert client.get(reverse("elections:ballots", args=[e.pk])).status_code == 403
    client.force_login(world.resident_a)
    page = client.get(reverse("elections:ballots", args=[e.pk])).content.decode()
    assert "按下列选票重新计票，与公布结果一致" in page and "1号楼1单元105、1号楼1单元106" in page
    # Excel: the tally with agreeing owners and area, and the named ballots for an owner.
    book = load_workbook(io.BytesIO(client.get(reverse("elections:export", args=[e.pk])).content))
    tally = [list(r) for r in book["计票"].iter_rows(values_only=True)]
    assert tally[0][2:4] == ["同意人数", "同意面积（㎡）"]
    assert ["甲", "居委会推荐", 5, "653.5", "是", "是", "是", "当选"] in tally
    assert "记名选票" in book.sheetnames


def _counts(client, world, *, extra: int) -> tuple[int, int, int]:
    """Queries for one online cast, the results page and the named ballot list, after `extra` more owners."""
    from django.test.utils import CaptureQueriesContext

    from shequ.decisions.tests.factories import add_households, csv_bytes

    if extra:
        add_households(world, [(f"9{i:02d}", "50") for i in range(extra)])
        rows = [
            ["1号楼", "1单元", f"9{i:02d}", "住宅", "50", "登记", f"业主{i}", f"1360000{i:04d}", "", ""]
            for i in range(extra)
        ]
        report = register.register_import(
            actor=world.rc_staff,
            organiser=world.rc,
            compound=world.compound_a,
            file=csv_bytes(rows),
            filename="x.csv",
        )
        assert report.ok, report.rejected
    e = owners_election(world, candidates=("甲", "乙", "丙", "丁"))
    c = list(cids(e).values())
    client.force_login(world.resident_a)
    with clock.frozen(VOTING):
        with CaptureQueriesContext(connection) as cast:
            assert (
                client.post(reverse("elections:vote", args=[e.pk]), {"candidate": c[:2]}).status_code == 302
            )
        for entry in RollEntry.objects.filter(election=e, voted=False):
            voting.election_enter_paper(
                actor=world.rc_staff,
                election=e,
                roll_entry_id=entry.pk,
                candidate_ids=c[1:3],
                document=photo(),
            )
        services.election_close(actor=world.rc_staff, election=Election.objects.get(pk=e.pk))
    assert RollEntry.objects.filter(election=e).count() == 5 + extra
    with CaptureQueriesContext(connection) as page:
        assert client.get(reverse("elections:detail", args=[e.pk])).status_code == 200
    with CaptureQueriesContext(connection) as ballots:
        assert client.get(reverse("elections:ballots", args=[e.pk])).status_code == 200
    return len(cast), len(page), len(ballots)


def test_casting_and_the_results_cost_the_same_queries_at_any_size(client, world):
    standard_register(world)
    small = _counts(client, world, extra=0)
    big = _counts(client, world, extra=40)
    assert small == big, (small, big)
    assert small[0] <= 25 and small[1] <= 25 and small[2] <= 15, small


# --- blank ballots (全部弃权) ---------------------------------------------------------------------------


def test_a_blank_ballot_takes_part_in_the_quorum_and_agrees_with_nobody():
    voters = {1: 4000, 2: 3000, 3: 3000}
    # Owner 1 names candidate 1, owner 2 casts a blank ballot: 2 of 3 owners (exactly 2/3) holding 7000 of
    # 10000 take part → quorum. Candidate 1 has 1 of the 2 participating owners = exactly half → fails.
    out = run(voters, [(1, [1]), (2, [])])
    assert out.quorum and out.tallies[1].agree_owners == 1 and not out.tallies[1].passed
    # Without the blank ballot only 1 of 3 owners took part: no quorum at all.
    assert not run(voters, [(1, [1])]).quorum


def test_api_blank_ballot_is_asked_for_explicitly(client, world, owners_vote):
    e = owners_vote
    c = cids(e)
    api = f"/api/v1/elections/{e.pk}"
    owner = api_token(client, world.resident_a)
    with clock.frozen(VOTING):
        body = api_error(
            client.post(f"{api}/vote", {"candidate_ids": []}, content_type="application/json", **owner),
            422,
            "no_choice",
        )
        assert "弃权" in body["message_zh"] and "Abstain" in body["message_en"]
        api_error(
            client.post(
                f"{api}/vote",
                {"candidate_ids": [c["甲"]], "abstain": True},
                content_type="application/json",
                **owner,
            ),
            422,
            "abstain_with_choice",
        )
        assert not NamedBallot.objects.filter(election=e).exists()
        r = client.post(f"{api}/vote", {"abstain": True}, content_type="application/json", **owner)
        assert r.status_code == 201, r.content
        assert client.get(api, **owner).json()["turnout"]["voted_owners"] == 1
    assert list(NamedBallot.objects.filter(election=e).values_list("choices", flat=True)) == [[]]


def test_the_named_ballot_list_pages_by_keyset_with_its_ballots(
    client, world, owners_vote, django_assert_max_num_queries
):
    """The named ballot list is an ordered queryset paged by cursor (the API and the page): every owner
    once across the pages, whom they chose shown after the close, and a page's queries constant."""
    from shequ.elections import selectors

    e = owners_vote
    c = cids(e)
    with clock.frozen(VOTING):
        voting.election_vote(user=world.resident_a, election=e, candidate_ids=[c["甲"]])
    with clock.frozen(AFTER):
        services.election_close(actor=world.rc_staff, election=e)
    e.refresh_from_db()
    entries = selectors.named_ballot_list(user=world.resident_a, election=e)
    assert entries.ordered
    names = list(entries.values_list("name", flat=True))
    assert len(names) == 5
    owner = api_token(client, world.resident_a)
    seen, url = [], f"/api/v1/elections/{e.pk}/ballots?page_size=2"
    while url:
        with django_assert_max_num_queries(12):
            body = client.get(url, **owner).json()
        assert body["count"] == 5 and len(body["items"]) <= 2
        seen += body["items"]
        url = f"/api/v1/elections/{e.pk}/ballots?page_size=2&after={body['next']}" if body["next"] else ""
    assert [x["voter"] for x in seen] == names
    assert [x["choices"] for x in seen if x["voted"]] == [[c["甲"]]]
    client.force_login(world.resident_a)
    page = client.get(reverse("elections:ballots", args=[e.pk])).content.decode()
    assert all(n in page for n in names)
