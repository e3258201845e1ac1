"""Register import, the roll (developer as one owner, a buyer of several units once, co-owners through one
representative), ballots (final, one per owner, paper and proxy with documents, corrections on the record),
and closing (exact count, posted on the board, read-only)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shequ.accounts.models import Residency
from shequ.conftest import make_user
from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.decisions import register, services, voting
from shequ.decisions.models import Ballot, DecisionEvent, ExclusiveUnit, Owner, Ownership, RollVoter
from shequ.decisions.tests.factories import (
    AFTER,
    VOTING,
    add_households,
    csv_bytes,
    photo,
    standard_register,
    voting_decision,
)
from shequ.notices.models import Notice

pytestmark = pytest.mark.django_db


def test_register_import_builds_owners_and_links_verified_owners(world):
    standard_register(world)
    assert ExclusiveUnit.objects.filter(compound=world.compound_a).count() == 8
    developer = Owner.objects.get(compound=world.compound_a, is_developer=True)
    assert developer.units.count() == 3
    assert Owner.objects.get(name="王五").units.count() == 2
    assert Owner.objects.get(name="张三").user == world.resident_a  # verified owner with the same phone
    assert Ownership.objects.get(owner__name="钱七").is_representative is False


def test_register_import_is_all_or_nothing_with_a_report(world):
    add_households(world, [("102", "100")])
    rows = [
        ["1号楼", "1单元", "101", "住宅", "88.50", "登记", "张三", "", "", ""],
        ["1号楼", "1单元", "999", "住宅", "80", "登记", "无此户", "", "", ""],
        ["1号楼", "1单元", "102", "住宅", "-3", "登记", "李", "", "", ""],
        ["1号楼", "1单元", "102", "住宅", "1.005", "登记", "李", "", "", ""],
    ]
    report = register.register_import(
        actor=world.rc_staff,
        organiser=world.rc,
        compound=world.compound_a,
        file=csv_bytes(rows),
        filename="r.csv",
    )
    assert not report.ok
    assert [r.row for r in report.rejected] == [3, 4, 5]
    assert "没有住户" in report.rejected[0].reason_zh and "no household" in report.rejected[0].reason_en
    assert ExclusiveUnit.objects.count() == 0 and Owner.objects.count() == 0


def test_co_owned_unit_needs_exactly_one_representative(world):
    add_households(world, [("102", "100")])
    rows = [
        ["1号楼", "1单元", "102", "住宅", "100", "登记", "甲", "", "", ""],
        ["1号楼", "1单元", "102", "住宅", "100", "登记", "乙", "", "", ""],
    ]
    report = register.register_import(
        actor=world.rc_staff,
        organiser=world.rc,
        compound=world.compound_a,
        file=csv_bytes(rows),
        filename="r.csv",
    )
    assert not report.ok and "代表人" in report.rejected[0].reason_zh


def test_only_the_organiser_imports_the_register(world):
    with pytest.raises(Forbidden):
        register.register_import(
            actor=world.building_leader,
            organiser=world.rc,
            compound=world.compound_a,
            file=b"x",
            filename="r.csv",
        )


def test_roll_counts_the_developer_once_and_a_buyer_of_several_units_once(world):
    standard_register(world)
    d = voting_decision(world)
    voters = {v.name: v for v in RollVoter.objects.filter(decision=d)}
    # 8 units, but 5 owners: 张三, 张小三, the developer (3 units), 王五 (2 units), 赵六 for 107.
    assert sorted(voters) == sorted(["张三", "张小三", "甲开发公司", "王五", "赵六"])
    assert voters["甲开发公司"].area == Decimal("300.00") and voters["甲开发公司"].unit_count == 3
    assert voters["王五"].area == Decimal("100.00") and voters["王五"].unit_count == 2
    assert d.total_owners == 5 and d.total_area == Decimal("653.50")


def test_developer_as_one_owner_decides_the_quorum_by_hand(world):
    """5 owners, 653.50 m². 张三 (88.50), 张小三 (75), 王五 (100) and 赵六 (90) vote = 4/5 owners ≥ 2/3, but
    their area is 353.50 / 653.50 < 2/3 (435.67) because the developer's 300 m² stayed away → no quorum."""
    standard_register(world)
    d = voting_decision(world)
    with clock.frozen(VOTING):
        voting.ballot_cast(user=world.resident_a, decision=d, choice="agree")
        voting.ballot_cast(user=world.resident_a2, decision=d, choice="agree")
        for name in ("王五", "赵六"):
            v = RollVoter.objects.get(decision=d, name=name)
            voting.ballot_enter(
                actor=world.rc_staff,
                decision=d,
                voter_id=v.pk,
                choice="agree",
                channel="paper",
                document=photo(),
            )
    with clock.frozen(AFTER):
        d = services.decision_close(actor=world.rc_staff, decision=d)
    r = d.result
    assert (r["voted_owners"], r["total_owners"], r["voted_area"], r["total_area"]) == (
        4,
        5,
        "353.5",
        "653.5",
    )
    assert r["quorum_owners"] and not r["quorum_area"] and d.outcome == "no_quorum"


def test_ballot_is_final_and_one_per_owner(world):
    standard_register(world)
    d = voting_decision(world)
    with clock.frozen(VOTING):
        voting.ballot_cast(user=world.resident_a, decision=d, choice="agree")
        with pytest.raises(Conflict) as exc:
            voting.ballot_cast(user=world.resident_a, decision=d, choice="disagree")
        assert exc.value.code == "already_voted"
        voter = RollVoter.objects.get(decision=d, owner__user=world.resident_a)
        with pytest.raises(Conflict):  # a paper ballot for an owner who already voted online
            voting.ballot_enter(
                actor=world.rc_staff,
                decision=d,
                voter_id=voter.pk,
                choice="disagree",
                channel="paper",
                document=photo(),
            )
    assert Ballot.objects.get(decision=d).choice == "agree"


def test_who_may_not_vote_is_refused_with_the_reason(world):
    standard_register(world)
    d = voting_decision(world)
    tenant = make_user("13800000099", "租客")
    Residency.objects.create(user=tenant, household=world.household_a, relation="tenant", status="verified")
    pending = make_user("13800000098", "待认证")
    Residency.objects.create(user=pending, household=world.household_a, relation="owner", status="pending")
    with clock.frozen(VOTING):
        for user, code in (
            (tenant, "tenant"),
            (pending, "unverified"),
            (world.outsider, "not_owner"),
            (world.resident_b, "not_owner"),
        ):
            with pytest.raises(Forbidden) as exc:
                voting.ballot_cast(user=user, decision=d, choice="agree")
            assert exc.value.code == code and exc.value.message_en
        with pytest.raises(Invalid):
            voting.ballot_cast(user=world.resident_a, decision=d, choice="maybe")
    with clock.frozen(AFTER):  # outside the window
        with pytest.raises(Conflict) as exc:
            voting.ballot_cast(user=world.resident_a, decision=d, choice="agree")
        assert exc.value.code == "not_voting"
    assert Ballot.objects.count() == 0


def test_co_owner_who_is_not_the_representative_is_told_so(world):
    standard_register(world)
    qian = make_user("13700000007", "钱七")
    hh = ExclusiveUnit.objects.get(label="1号楼1单元107").household
    Residency.objects.create(user=qian, household=hh, relation="owner", status="verified")
    register.register_link_users(compound=world.compound_a)
    d = voting_decision(world)
    with clock.frozen(VOTING), pytest.raises(Forbidden) as exc:
        voting.ballot_cast(user=qian, decision=d, choice="agree")
    assert exc.value.code == "not_representative"


def test_paper_and_proxy_ballots_need_their_documents(world):
    standard_register(world)
    d = voting_decision(world)
    wang = RollVoter.objects.get(decision=d, name="王五")
    with clock.frozen(VOTING):
        with pytest.raises(Invalid):
            voting.ballot_enter(
                actor=world.rc_staff, decision=d, voter_id=wang.pk, choice="agree", channel="paper"
            )
        with pytest.raises(Invalid):
            voting.ballot_enter(
                actor=world.rc_staff,
                decision=d,
                voter_id=wang.pk,
                choice="agree",
                channel="proxy",
                document=photo("auth.pdf"),
            )
        with pytest.raises(Forbidden):
            voting.ballot_enter(
                actor=world.building_leader,
                decision=d,
                voter_id=wang.pk,
                choice="agree",
                channel="paper",
                document=photo(),
            )
        b = voting.ballot_enter(
            actor=world.rc_staff,
            decision=d,
            voter_id=wang.pk,
            choice="agree",
            channel="proxy",
            document=photo("auth.pdf"),
            proxy_name="王小五",
        )
    assert b.proxy_name == "王小五" and b.document.name.endswith(".pdf")
    assert DecisionEvent.objects.filter(decision=d, kind="ballot_proxy", actor=world.rc_staff).exists()


def test_correction_only_by_the_organiser_with_a_reason_on_the_record(world):
    standard_register(world)
    d = voting_decision(world)
    wang = RollVoter.objects.get(decision=d, name="王五")
    with clock.frozen(VOTING):
        b = voting.ballot_enter(
            actor=world.rc_staff,
            decision=d,
            voter_id=wang.pk,
            choice="agree",
            channel="paper",
            document=photo(),
        )
        with pytest.raises(Invalid):
            voting.ballot_correct(actor=world.rc_staff, decision=d, ballot=b, choice="disagree", reason="")
        with pytest.raises(Forbidden):
            voting.ballot_correct(actor=world.resident_a, decision=d, ballot=b, choice="disagree", reason="x")
        voting.ballot_correct(
            actor=world.rc_staff, decision=d, ballot=b, choice="disagree", reason="录入时看错了勾选"
        )
    event = DecisionEvent.objects.get(decision=d, kind="ballot_corrected")
    assert (
        event.data == {"ballot": b.pk, "old": "agree", "new": "disagree"}
        and event.reason == "录入时看错了勾选"
    )


def test_close_counts_posts_the_result_and_the_record_is_read_only(world):
    standard_register(world)
    d = voting_decision(world)
    with clock.frozen(VOTING):
        voting.ballot_cast(user=world.resident_a, decision=d, choice="agree")
        with pytest.raises(Conflict):  # not everyone voted and the window is open
            services.decision_close(actor=world.rc_staff, decision=d)
        dev = RollVoter.objects.get(decision=d, is_developer=True)
        voting.ballot_enter(
            actor=world.rc_staff,
            decision=d,
            voter_id=dev.pk,
            choice="agree",
            channel="paper",
            document=photo(),
        )
        wang = RollVoter.objects.get(decision=d, name="王五")
        voting.ballot_enter(
            actor=world.rc_staff,
            decision=d,
            voter_id=wang.pk,
            choice="disagree",
            channel="paper",
            document=photo(),
        )
        zhao = RollVoter.objects.get(decision=d, name="赵六")
        voting.ballot_enter(
            actor=world.rc_staff,
            decision=d,
            voter_id=zhao.pk,
            choice="abstain",
            channel="paper",
            document=photo(),
        )
    with clock.frozen(AFTER):
        with pytest.raises(Forbidden):
            services.decision_close(actor=world.resident_a, decision=d)
        d = services.decision_close(actor=world.rc_staff, decision=d)
    # By hand: 4 of 5 owners took part (≥ 2/3); area 88.5 + 300 + 100 + 90 = 578.5 of 653.5 (≥ 2/3).
    # Agree: 2 of 4 owners = exactly half → not more than half → rejected (area 388.5/578.5 is over half).
    r = d.result
    assert (r["agree_owners"], r["agree_area"], r["voted_area"]) == (2, "388.5", "578.5")
    assert r["quorum"] and r["agree_area_ok"] and not r["agree_owners_ok"] and d.outcome == "rejected"
    notice = Notice.objects.get(pk=d.notice_id)
    assert "结果公示" in notice.title and "同意 2 人" in notice.body and notice.place == world.compound_a
    with clock.frozen(AFTER):
        with pytest.raises(Conflict):
            voting.ballot_correct(
                actor=world.rc_staff, decision=d, ballot=Ballot.objects.first(), choice="agree", reason="x"
            )
        with pytest.raises(Conflict):
            voting.ballot_cast(user=world.resident_a2, decision=d, choice="agree")
        with pytest.raises(Conflict):
            services.decision_cancel(actor=world.rc_staff, decision=d, reason="x")


def test_building_scoped_decision_has_only_those_owners(world):
    standard_register(world)
    d = voting_decision(world, matter="common_parts", buildings=[world.building_a2])
    assert list(RollVoter.objects.filter(decision=d).values_list("name", flat=True)) == ["张小三"]
    assert d.is_major
    with clock.frozen(VOTING), pytest.raises(Forbidden) as exc:
        voting.ballot_cast(user=world.resident_a, decision=d, choice="agree")
    assert exc.value.code == "not_on_roll"


def test_publicity_and_window_rules(world):
    from datetime import timedelta

    from shequ.decisions.tests.factories import T0

    with clock.frozen(T0):
        d = services.decision_create(
            actor=world.rc_staff,
            organiser=world.rc,
            compound=world.compound_a,
            matter="other",
            title="t",
            body="b",
        )
        with pytest.raises(Invalid) as exc:
            services.decision_publicise(actor=world.rc_staff, decision=d, opens_at=T0)
        assert exc.value.code == "publicity_too_short"
        for days in (4, 61):
            with pytest.raises(Invalid) as exc:
                services.decision_publicise(
                    actor=world.rc_staff,
                    decision=d,
                    opens_at=T0 + timedelta(days=2),
                    closes_at=T0 + timedelta(days=2 + days),
                )
            assert exc.value.code == "window_invalid"
        with pytest.raises(Invalid):
            services.decision_create(
                actor=world.rc_staff,
                organiser=world.rc,
                compound=world.compound_a,
                matter="nope",
                title="t",
                body="b",
            )
        with pytest.raises(Forbidden):
            services.decision_create(
                actor=world.handler_x,
                organiser=world.rc,
                compound=world.compound_a,
                matter="other",
                title="t",
                body="b",
            )
        d = services.decision_publicise(actor=world.rc_staff, decision=d, opens_at=T0 + timedelta(days=2))
        assert d.closes_at - d.opens_at == timedelta(days=15)
        with pytest.raises(Conflict) as exc:
            services.decision_open(actor=world.rc_staff, decision=d)
        assert exc.value.code == "too_early"
    assert Notice.objects.filter(title__contains="业主表决公示").count() == 1


def test_a_ballot_costs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    standard_register(world)
    d = voting_decision(world)
    with clock.frozen(VOTING), django_assert_max_num_queries(10):
        voting.ballot_cast(user=world.resident_a, decision=d, choice="agree")


def test_a_stack_of_paper_ballots_is_entered_all_or_nothing(world, django_assert_max_num_queries):
    """One scan for the stack; a wrong entry anywhere and nothing is written."""
    standard_register(world)
    decision = voting_decision(world)
    voters = list(decision.voters.order_by("pk"))
    scan = photo("stack.jpg")
    with clock.frozen(VOTING):
        with pytest.raises(Invalid):
            voting.ballots_enter_batch(
                actor=world.rc_staff,
                decision=decision,
                entries=[(voters[0].pk, "agree"), (voters[1].pk, "maybe")],
                document=scan,
            )
        with pytest.raises(Invalid):
            voting.ballots_enter_batch(
                actor=world.rc_staff,
                decision=decision,
                entries=[(voters[0].pk, "agree"), (voters[0].pk, "agree")],
                document=scan,
            )
        with pytest.raises(Forbidden):
            voting.ballots_enter_batch(
                actor=world.resident_a, decision=decision, entries=[(voters[0].pk, "agree")], document=scan
            )
        assert not Ballot.objects.filter(decision=decision).exists()
        entries = [(v.pk, "agree" if i % 4 else "abstain") for i, v in enumerate(voters[:-1])]
        with django_assert_max_num_queries(12):
            n = voting.ballots_enter_batch(
                actor=world.rc_staff, decision=decision, entries=entries, document=scan
            )
        assert n == len(entries) == Ballot.objects.filter(decision=decision, channel="paper").count()
        assert len({b.document.name for b in Ballot.objects.filter(decision=decision)}) == 1
        assert DecisionEvent.objects.filter(decision=decision, kind="ballot_paper").count() == n
        with pytest.raises(Conflict):  # one of them again, with the last one: still nothing new
            voting.ballots_enter_batch(
                actor=world.rc_staff,
                decision=decision,
                entries=[(voters[-1].pk, "agree"), (voters[0].pk, "agree")],
                document=scan,
            )
        assert Ballot.objects.filter(decision=decision).count() == n
