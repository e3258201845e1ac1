"""Benchmark: owners' votes at compound scale, quoted as ratios against a trivial reference in the same run.

Builds a compound of N exclusive units (default 5,000) through the real importers (directory households,
then the owners' register — with a developer owning 200 unsold units and 100 buyers of two flats), opens a
decision, fills 80 % of the roll with ballots (bulk set-up), then measures in one run:

- queries and time of one online ballot (`ballot_cast`) against the same on a 20-unit compound;
- the tally (`decision_tally`) of the whole compound against a trivial reference (`SELECT count(*)` of
  its ballots) — must stay under a second;
- queries of the results page for the big compound against the small one (constant);
- the same three for an owners'-committee election (art. 278, named ballots) of each compound.

    .venv/bin/python bench/bench_votes.py [--units 5000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_votes_bench .venv/bin/python bench/bench_votes.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="shequ-votes-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["MEDIA_ROOT"] = f"{tmp}/media"
    os.environ["SHEQU_JOBS_INLINE"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from shequ.accounts.models import Residency, User
    from shequ.core import clock
    from shequ.decisions import register, services, voting
    from shequ.decisions.models import Ballot, RollVoter
    from shequ.directory import importer as dimport
    from shequ.directory import parties as dparties
    from shequ.directory import places as dplaces
    from shequ.directory.models import PartyKind, PlaceKind, Role

    district = dplaces.place_create(kind=PlaceKind.DISTRICT, name="基准区", parent=None)
    street = dplaces.place_create(kind=PlaceKind.STREET, name="基准街道", parent=district)
    community = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="基准社区", parent=street)
    rc = dparties.party_create(
        kind=PartyKind.RESIDENTS_COMMITTEE, name="基准居委会", code="b-rc", home=community, places=[community]
    )
    staff = User.objects.create_user(phone="13900009999", password="x-bench-pass", real_name="组织者")
    dparties.membership_create(user=staff, party=rc, role=Role.STAFF)

    def compound(name: str, units: int, phone_prefix: str):
        c = dplaces.place_create(kind=PlaceKind.COMPOUND, name=name, parent=community)
        per_building = 200
        rows = ["楼栋,单元,门牌号,楼层,专有面积"]
        for i in range(units):
            b, r = divmod(i, per_building)
            rows.append(
                f"{b + 1}号楼,{r // 50 + 1}单元,{(r % 50) // 2 + 1:02d}{r % 2 + 1:02d},,{60 + (i * 37) % 90}.{i % 100:02d}"
            )
        report = dimport.places_import(compound=c, file="\n".join(rows).encode(), filename="h.csv")
        assert report.ok, report.rejected[:3]
        owner_user = User.objects.create_user(
            phone=f"{phone_prefix}0000", password="x-bench-pass", real_name="投票业主"
        )
        lines = ["楼栋,单元,门牌号,类型,专有面积,面积依据,业主,电话,代表人,建设单位未售"]
        households = list(
            c.__class__.objects.filter(compound=c, kind=PlaceKind.HOUSEHOLD)
            .select_related("building", "unit")
            .order_by("id")
        )
        Residency.objects.create(
            user=owner_user, household=households[0], relation="owner", status="verified"
        )
        for i, h in enumerate(households):
            if i == 0:
                owner, phone, dev = "投票业主", owner_user.phone, ""
            elif i >= len(households) - units // 25:
                owner, phone, dev = "基准置业", "", "是"
            elif i % 50 in (1, 2):
                owner, phone, dev = f"买受人{i // 50}", "", ""
            else:
                owner, phone, dev = f"业主{i}", "", ""
            lines.append(
                f"{h.building.name},{h.unit.name},{h.name},住宅,{h.floor_area},登记,{owner},{phone},,{dev}"
            )
        report = register.register_import(
            actor=staff, organiser=rc, compound=c, file="\n".join(lines).encode(), filename="r.csv"
        )
        assert report.ok, report.rejected[:3]
        now = clock.now()
        with clock.frozen(now - timedelta(days=3)):
            d = services.decision_create(
                actor=staff, organiser=rc, compound=c, matter="use_fund", title="基准表决", body="b"
            )
            d = services.decision_publicise(
                actor=staff, decision=d, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=10)
            )
        with clock.frozen(now - timedelta(days=1)):
            d = services.decision_open(actor=staff, decision=d)
        voters = list(
            RollVoter.objects.filter(decision=d, owner__user__isnull=True).values_list("pk", flat=True)
        )
        voters = voters[: len(voters) * 4 // 5]
        Ballot.objects.bulk_create(
            [
                Ballot(
                    decision=d,
                    voter_id=v,
                    choice=("agree", "agree", "disagree", "abstain")[v % 4],
                    channel="paper",
                    cast_by=staff,
                )
                for v in voters
            ],
            batch_size=1000,
        )
        return d, owner_user

    t = time.perf_counter()
    small, small_user = compound("小基准小区", 20, "1370000")
    big, big_user = compound("大基准小区", args.units, "1370001")
    print(
        f"set-up {time.perf_counter() - t:.1f} s; roll of the big compound: {big.total_owners} owners, {big.voters.count()} voters, {big.roll_units.count()} units"
    )

    def cast_queries(d, user) -> tuple[int, float]:
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            voting.ballot_cast(user=User.objects.get(pk=user.pk), decision=d, choice="agree")
            elapsed = time.perf_counter() - start
        return len(ctx.captured_queries), elapsed

    qs, ts = cast_queries(small, small_user)
    qb, tb = cast_queries(big, big_user)
    print(
        f"ballot: {qs} queries on 20 units, {qb} on {args.units} units; {ts * 1000:.1f} ms vs {tb * 1000:.1f} ms"
    )

    def timed(fn) -> float:
        samples = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    reference = timed(lambda: Ballot.objects.filter(decision=big).count())
    tally = timed(lambda: services.decision_tally(decision=big))
    result = services.decision_tally(decision=big)
    print(
        f"tally of {args.units} units ({result.voted_owners}/{result.total_owners} owners voted): {tally * 1000:.1f} ms; "
        f"reference count(*) {reference * 1000:.2f} ms; ratio {tally / reference:.0f}x; under 1 s: {tally < 1}"
    )

    clock.set_now(clock.now() + timedelta(days=11))
    services.decision_close(actor=staff, decision=small)
    services.decision_close(actor=staff, decision=big)
    clock.set_now(None)
    client = Client()
    counts = {}
    for label, d, owner in (("small", small, small_user), ("big", big, big_user)):
        client.force_login(owner)  # each compound's own owner: the same page, only the size differs
        client.get(f"/decisions/{d.pk}/")
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            assert client.get(f"/decisions/{d.pk}/").status_code == 200
            elapsed = time.perf_counter() - start
        counts[label] = (len(ctx.captured_queries), elapsed)
    print(
        f"results page: {counts['small'][0]} queries (20 units) vs {counts['big'][0]} ({args.units} units); "
        f"{counts['small'][1] * 1000:.1f} ms vs {counts['big'][1] * 1000:.1f} ms, ratio {counts['big'][1] / counts['small'][1]:.2f}"
    )

    elections_part(
        args=args, staff=staff, rc=rc, compounds=((small, small_user), (big, big_user)), timed=timed
    )


def elections_part(*, args, staff, rc, compounds, timed) -> None:
    """The same for an owners'-committee election (art. 278, named ballots) of each compound: 10 candidates,
    7 seats, 80 % of the roll voted on paper (bulk set-up), then one online vote, the count, the results page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from shequ.accounts.models import User
    from shequ.core import clock
    from shequ.elections import services as es
    from shequ.elections import tally, voting
    from shequ.elections.models import NamedBallot, RollEntry

    now = clock.now()
    made = []
    for d, user in compounds:
        with clock.frozen(now - timedelta(days=10)):
            e = es.election_create(
                actor=staff,
                organiser=rc,
                place=d.compound,
                kind="owners_committee",
                electorate="owners",
                title="基准业委会选举",
                seats=7,
                max_choices=7,
            )
            for i in range(10):
                es.candidate_nominate(
                    actor=staff, election=e, route="residents_committee", name=f"候选人{i}", statement="s"
                )
            e = es.election_publicise(
                actor=staff, election=e, opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=10)
            )
        with clock.frozen(now - timedelta(days=2)):
            e = es.election_open(actor=staff, election=e)
        ids = list(e.candidates.values_list("pk", flat=True))
        entries = list(RollEntry.objects.filter(election=e, user__isnull=True).values_list("pk", flat=True))
        entries = entries[: len(entries) * 4 // 5]
        NamedBallot.objects.bulk_create(
            [
                NamedBallot(
                    election=e, voter_id=v, choices=ids[v % 4 : v % 4 + 5], channel="paper", cast_by=staff
                )
                for v in entries
            ],
            batch_size=1000,
        )
        RollEntry.objects.filter(pk__in=entries).update(voted=True)
        made.append((e, user, ids))
    cast = []
    for e, user, ids in made:
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            voting.election_vote(user=User.objects.get(pk=user.pk), election=e, candidate_ids=ids[:3])
            cast.append((len(ctx.captured_queries), time.perf_counter() - start))
    print(
        f"owners'-committee ballot: {cast[0][0]} queries on 20 units, {cast[1][0]} on {args.units} units; "
        f"{cast[0][1] * 1000:.1f} ms vs {cast[1][1] * 1000:.1f} ms"
    )
    big = made[1][0]
    reference = timed(lambda: NamedBallot.objects.filter(election=big).count())
    took = timed(lambda: tally.owners_tally(election=big))
    out = tally.owners_tally(election=big)
    p = out.participation
    print(
        f"owners'-committee count of {args.units} units, 10 candidates ({p.voted_owners}/{p.total_owners} owners "
        f"voted): {took * 1000:.1f} ms; reference count(*) {reference * 1000:.2f} ms; ratio {took / reference:.0f}x; "
        f"under 1 s: {took < 1}"
    )
    clock.set_now(now + timedelta(days=11))
    for e, _user, _ids in made:
        es.election_close(actor=staff, election=e)
    clock.set_now(None)
    client = Client()
    pages = []
    for e, owner, _ids in made:
        client.force_login(owner)
        client.get(f"/elections/{e.pk}/")
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            assert client.get(f"/elections/{e.pk}/").status_code == 200
            pages.append((len(ctx.captured_queries), time.perf_counter() - start))
    print(
        f"owners'-committee results page: {pages[0][0]} queries (20 units) vs {pages[1][0]} ({args.units} units); "
        f"{pages[0][1] * 1000:.1f} ms vs {pages[1][1] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
