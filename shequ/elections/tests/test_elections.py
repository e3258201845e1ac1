"""Secret and verifiable elections: the ballot box cannot be linked to the roll, the published box recounts to
the posted tally, a voter finds their receipt; ties, alternates and the 环物会's composition."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from shequ.accounts.models import Residency
from shequ.conftest import make_user
from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.elections import counting, selectors, services, voting
from shequ.elections.models import BoxBallot, RollEntry
from shequ.notices.models import Notice

pytestmark = pytest.mark.django_db
T0 = timezone.make_aware(datetime(2026, 11, 2, 9, 0))
VOTING = T0 + timedelta(days=8)


def env_election(world, *, voters=4):
    """A 环物会 election of the community by residents' representatives, with 7 candidates for 6 seats."""
    with clock.frozen(T0):
        e = services.election_create(
            actor=world.rc_staff,
            organiser=world.rc,
            place=world.community,
            kind="env_committee",
            electorate="representatives",
            title="环物会业主委员选举",
            seats=6,
            max_choices=6,
            alternates=1,
        )
        services.appointed_add(
            actor=world.rc_staff, election=e, role="director", name="周主任", party=world.rc
        )
        for name in ("孙警官", "钱警官"):
            services.appointed_add(
                actor=world.rc_staff, election=e, role="vice_director", name=name, party=world.police
            )
        for i in range(7):
            services.candidate_nominate(
                actor=world.rc_staff,
                election=e,
                route="residents_committee",
                name=f"候选人{i}",
                statement="为邻居服务",
            )
        people = [world.resident_a, world.resident_a2, world.resident_b]
        for i in range(voters - 3):
            u = make_user(f"137100000{i:02d}", f"代表{i}")
            Residency.objects.create(
                user=u, household=world.household_a, relation="family", status="verified"
            )
            people.append(u)
        for u in people[:voters]:
            services.representative_add(actor=world.rc_staff, election=e, user=u)
        e = services.election_publicise(
            actor=world.rc_staff,
            election=e,
            opens_at=T0 + timedelta(days=7),
            closes_at=T0 + timedelta(days=14),
        )
    with clock.frozen(T0 + timedelta(days=7)):
        e = services.election_open(actor=world.rc_staff, election=e)
    return e


def ids(e):
    return list(e.candidates.order_by("id").values_list("pk", flat=True))


def test_the_ballot_box_table_holds_nothing_that_links_a_ballot_to_a_voter():
    table = BoxBallot._meta.db_table
    with connection.cursor() as cursor:
        columns = {c.name: c for c in connection.introspection.get_table_description(cursor, table)}
        constraints = connection.introspection.get_constraints(cursor, table)
    # Only the random receipt, the election and the choices. No user, roll, time, sequence or counter.
    assert set(columns) == {"receipt", "election_id", "choices"}
    pk = BoxBallot._meta.pk
    assert pk.name == "receipt" and pk.get_internal_type() == "CharField"  # not an autoincrement
    for field in BoxBallot._meta.get_fields():
        if field.is_relation and field.concrete:
            assert field.related_model._meta.label == "elections.Election"
        assert field.get_internal_type() not in {
            "DateTimeField",
            "DateField",
            "AutoField",
            "BigAutoField",
            "PositiveIntegerField",
            "IntegerField",
        }
    for name, c in constraints.items():
        if c.get("check") and not (c.get("index") or c.get("unique") or c.get("primary_key")):
            continue  # SQLite's JSON validity check on `choices` orders nothing
        # No index or key on anything but the random receipt and the election (an index is an order).
        assert set(c["columns"]) <= {"receipt", "election_id"}, (name, c)
        if c["foreign_key"]:
            assert c["foreign_key"][0] == "elections_election"


def test_roll_records_that_someone_voted_and_the_box_is_rewritten_in_random_order(world):
    e = env_election(world)
    c = ids(e)
    with clock.frozen(VOTING):
        receipts = [
            voting.election_vote(user=u, election=e, candidate_ids=c[:6])
            for u in (world.resident_a, world.resident_a2, world.resident_b)
        ]
    assert RollEntry.objects.filter(election=e, voted=True).count() == 3
    assert set(BoxBallot.objects.filter(election=e).values_list("receipt", flat=True)) == set(receipts)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # every row was written by the last cast: no insertion order left
            cursor.execute(
                "SELECT count(DISTINCT xmin::text) FROM elections_boxballot WHERE election_id = %s", [e.pk]
            )
            assert cursor.fetchone()[0] == 1


def test_refusals_change_nothing(world):
    e = env_election(world)
    c = ids(e)
    with clock.frozen(VOTING):
        with pytest.raises(Invalid) as exc:
            voting.election_vote(user=world.resident_a, election=e, candidate_ids=c)  # 7 > 6 choices
        assert exc.value.code == "too_many_choices"
        with pytest.raises(Invalid):
            voting.election_vote(user=world.resident_a, election=e, candidate_ids=[c[0], c[0]])
        with pytest.raises(Invalid):
            voting.election_vote(user=world.resident_a, election=e, candidate_ids=[])
        with pytest.raises(Forbidden):
            voting.election_vote(user=world.outsider, election=e, candidate_ids=c[:1])
        voting.election_vote(user=world.resident_a, election=e, candidate_ids=c[:1])
        with pytest.raises(Conflict):
            voting.election_vote(user=world.resident_a, election=e, candidate_ids=c[:1])
    with clock.frozen(T0 + timedelta(days=15)), pytest.raises(Conflict):
        voting.election_vote(user=world.resident_a2, election=e, candidate_ids=c[:1])
    assert BoxBallot.objects.filter(election=e).count() == 1


def test_published_box_recounts_to_the_posted_tally_and_a_voter_finds_their_receipt(client, world):
    e = env_election(world, voters=5)
    c = ids(e)
    voters = list(RollEntry.objects.filter(election=e).select_related("user"))
    picks = [c[:6], c[1:7], c[:3], [c[6]], c[2:5]]
    with clock.frozen(VOTING):
        receipts = [
            voting.election_vote(user=v.user, election=e, candidate_ids=p)
            for v, p in zip(voters, picks, strict=True)
        ]
        assert list(selectors.published_box(election=e)) == []  # not before the close
        e = services.election_close(actor=world.rc_staff, election=e)  # everyone voted: early close allowed
    # Recount by hand from the published box: c0: 2, c1: 3, c2: 4, c3: 3, c4: 3, c5: 2, c6: 2.
    client.force_login(world.outsider)
    published = client.get(f"/api/v1/elections/{e.pk}/box").json()["items"]
    recount = counting.count([b["choices"] for b in published], c)
    assert recount == {c[0]: 2, c[1]: 3, c[2]: 4, c[3]: 3, c[4]: 3, c[5]: 2, c[6]: 2}
    assert {int(k): v for k, v in e.result["scores"].items()} == recount
    # 6 seats: c2, c1, c3, c4 clearly; c0, c5, c6 tie with 2 votes for the last 2 seats → run-off, no alternate.
    assert sorted(e.result["elected"]) == sorted([c[1], c[2], c[3], c[4]])
    assert sorted(e.result["tied"]) == sorted([c[0], c[5], c[6]]) and e.result["open_seats"] == 2
    mine = client.get(f"/api/v1/elections/{e.pk}/box", {"receipt": receipts[3]}).json()["items"]
    assert mine == [{"receipt": receipts[3], "choices": [c[6]]}]
    page = client.get(reverse("elections:box", args=[e.pk])).content.decode()
    assert "重新计票与公布结果一致" in page
    assert Notice.objects.filter(title__contains="选举结果公示").exists()


def test_ties_and_alternates_by_hand():
    # 3 seats, 2 alternates. Scores: a 9, b 7, c 7, d 5, e 4, f 4, g 0.
    out = counting.elect({1: 9, 2: 7, 3: 7, 4: 5, 5: 4, 6: 4, 7: 0}, seats=3, alternates=2)
    assert out.elected == [1, 2, 3] and out.tied == [] and out.alternates == [(1, 4), (2, 5)]
    # 2 seats: b and c tie for the second seat → a elected, one seat open, b and c in a run-off.
    out = counting.elect({1: 9, 2: 7, 3: 7, 4: 5}, seats=2, alternates=1)
    assert out.elected == [1] and out.tied == [2, 3] and out.open_seats == 1 and out.alternates == [(1, 4)]
    # Equal alternates share a rank; a candidate without votes is never elected.
    out = counting.elect({1: 3, 2: 2, 3: 2, 4: 0}, seats=1, alternates=3)
    assert out.alternates == [(1, 2), (1, 3)] and out.elected == [1]


def test_env_committee_composition_is_enforced(world):
    with clock.frozen(T0):
        with pytest.raises(Invalid):
            services.election_create(
                actor=world.rc_staff,
                organiser=world.rc,
                place=world.community,
                kind="env_committee",
                electorate="representatives",
                title="x",
                seats=5,
            )
        e = services.election_create(
            actor=world.rc_staff,
            organiser=world.rc,
            place=world.community,
            kind="env_committee",
            electorate="representatives",
            title="x",
            seats=6,
        )
        with pytest.raises(Invalid):  # the director comes from the residents' committee, not the police
            services.appointed_add(
                actor=world.rc_staff, election=e, role="director", name="孙", party=world.police
            )
        for i in range(6):
            services.candidate_nominate(
                actor=world.rc_staff, election=e, route="residents_committee", name=f"c{i}", statement="s"
            )
        with pytest.raises(Conflict) as exc:
            services.election_publicise(
                actor=world.rc_staff,
                election=e,
                opens_at=T0 + timedelta(days=8),
                closes_at=T0 + timedelta(days=9),
            )
        assert exc.value.code == "composition"
        with pytest.raises(Forbidden):
            services.election_create(
                actor=world.resident_a,
                organiser=world.rc,
                place=world.community,
                kind="other",
                electorate="owners",
                title="x",
                seats=1,
            )


def test_self_nomination_needs_a_verified_resident_and_owners_need_enough_names(world):
    with clock.frozen(T0):
        e = services.election_create(
            actor=world.rc_staff,
            organiser=world.rc,
            place=world.compound_a,
            kind="other",
            electorate="owners",
            title="x",
            seats=2,
        )
        cand = services.candidate_nominate(
            actor=world.resident_a, election=e, route="self", statement="我来服务"
        )
        assert cand.name == world.resident_a.real_name and cand.building == world.building_a1
        with pytest.raises(Forbidden):
            services.candidate_nominate(actor=world.outsider, election=e, route="self", statement="s")
        with pytest.raises(Invalid):
            services.candidate_nominate(
                actor=world.resident_a2,
                election=e,
                route="owners",
                name="王",
                nominators="甲、乙",
                statement="s",
            )
        ok = services.candidate_nominate(
            actor=world.resident_a2,
            election=e,
            route="owners",
            name="王",
            nominators="甲、乙、丙、丁、戊",
            statement="s",
        )
        assert ok.route == "owners"
        with pytest.raises(Invalid):  # publicity shorter than 7 days
            services.election_publicise(
                actor=world.rc_staff,
                election=e,
                opens_at=T0 + timedelta(days=6),
                closes_at=T0 + timedelta(days=8),
            )


def test_pages(client, world, django_assert_max_num_queries):
    e = env_election(world)
    client.force_login(world.resident_a)
    with clock.frozen(VOTING):
        page = client.get(reverse("elections:detail", args=[e.pk])).content.decode()
        assert "提交选票" in page and "主任" in page
        c = ids(e)
        r = client.post(reverse("elections:vote", args=[e.pk]), {"candidate": c[:2]})
        assert r.status_code == 200 and "回执码" in r.content.decode()
        assert client.post(reverse("elections:act", args=[e.pk, "close"])).status_code == 403
    client.force_login(world.outsider)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("elections:detail", args=[e.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("elections:box", args=[e.pk])).status_code == 200
    assert client.get(reverse("elections:index")).status_code == 200


def test_a_blank_secret_ballot_from_the_page_gets_a_receipt_and_counts_for_nobody(client, world):
    e = env_election(world)
    c = ids(e)
    client.force_login(world.resident_a)
    url = reverse("elections:vote", args=[e.pk])
    with clock.frozen(VOTING):
        refused = client.post(url, {"candidate": [c[0]], "abstain": "1"}, follow=True)
        assert "弃权票不能同时选择候选人" in refused.content.decode()
        assert not BoxBallot.objects.filter(election=e).exists()
        page = client.post(url, {"abstain": "1"})
        assert page.status_code == 200 and "回执" in page.content.decode()
    assert list(BoxBallot.objects.filter(election=e).values_list("choices", flat=True)) == [[]]
    assert RollEntry.objects.get(election=e, user=world.resident_a).voted
    assert set(counting.count([[]], c).values()) == {0}
