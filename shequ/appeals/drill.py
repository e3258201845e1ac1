"""A small runner for crash and concurrency drills of the sweeper (used by the tests, handy by hand).

    python -m shequ.appeals.drill setup --appeals 30      build a tiny community with overdue appeals
    python -m shequ.appeals.drill worker [--slow 0.2]     run the real worker loop; --slow sleeps inside
                                                              each escalation batch's transaction (a wide window to
                                                              kill it mid-batch); prints "escalated <id>" per commit
    python -m shequ.appeals.drill check                   print JSON counts (escalations per appeal …)

Uses the database of DATABASE_URL, like every `shequ` command.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from datetime import date, timedelta

from shequ.core.ratelimit import suspended


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def setup(n: int) -> None:
    from shequ.accounts.models import Residency, User
    from shequ.appeals.models import Category
    from shequ.appeals.services import appeal_create
    from shequ.core import clock, ratelimit
    from shequ.directory import parties as dparties
    from shequ.directory import places as dplaces
    from shequ.directory.models import PartyKind as K
    from shequ.directory.models import PlaceKind as P
    from shequ.directory.models import Role

    district = dplaces.place_create(kind=P.DISTRICT, name="演练区", parent=None)
    street = dplaces.place_create(kind=P.STREET, name="演练街道", parent=district)
    community = dplaces.place_create(kind=P.COMMUNITY, name="演练社区", parent=street)
    compound = dplaces.place_create(kind=P.COMPOUND, name="演练小区", parent=community)
    building = dplaces.place_create(kind=P.BUILDING, name="1号楼", parent=compound)
    unit = dplaces.place_create(kind=P.UNIT, name="1单元", parent=building)
    household = dplaces.place_create(kind=P.HOUSEHOLD, name="101", parent=unit)
    dparties.party_create(
        kind=K.STREET_OFFICE, name="演练街道办", code="d-street", home=street, places=[street]
    )
    dparties.party_create(
        kind=K.PARTY_ORG, name="演练社区党委", code="d-party", home=community, places=[community]
    )
    dparties.party_create(
        kind=K.RESIDENTS_COMMITTEE, name="演练居委会", code="d-rc", home=community, places=[community]
    )
    env = dparties.party_create(
        kind=K.ENV_PROPERTY_COMMITTEE, name="演练环物会", code="d-env", home=community, places=[community]
    )
    company = dparties.party_create(kind=K.PROPERTY_COMPANY, name="演练物业", code="d-x", home=community)
    dparties.contract_create(company=company, places=[compound], starts_on=date(2020, 1, 1))
    director = User.objects.create_user(
        phone="13911110001", password="drill-pass-123", real_name="环物会主任"
    )
    dparties.membership_create(user=director, party=env, role=Role.HEAD)
    resident = User.objects.create_user(phone="13811110001", password="drill-pass-123", real_name="居民")
    Residency.objects.create(
        user=resident, household=household, relation="owner", status=Residency.Status.VERIFIED
    )
    # A flushed test database has no default categories: create the one the drill needs.
    lift, _ = Category.objects.get_or_create(
        code="lift",
        defaults={"name": "电梯", "default_party_kind": K.PROPERTY_COMPANY, "time_class": "utility"},
    )
    # Filed 40 minutes ago as emergencies: 10 minutes past the accept limit, 20 minutes before the next rung.
    # One trusted operator builds the drill: no per-account limits (shequ.core.ratelimit).
    with clock.frozen(clock.now() - timedelta(minutes=40)), ratelimit.suspended():
        for i in range(n):
            appeal_create(
                reporter=resident,
                kind="help",
                category=lift,
                place=household,
                text=f"电梯困人 {i}",
                urgency="emergency",
            )
    print(json.dumps({"appeals": n}))


def worker(slow: float) -> None:
    from shequ.appeals import sweeps
    from shequ.core.jobs import run_worker

    sweeps.BATCH = 4  # small batches: a kill lands between commits, with some batches done
    original_write = sweeps._write_escalations
    original_batch = sweeps._escalate_batch
    written: list[int] = []

    def slow_write(rows, **kwargs):
        done = original_write(rows, **kwargs)
        written.extend(a.pk for a in rows if a.escalation_level)
        if slow:
            time.sleep(slow * len(rows))  # still inside the batch's transaction
        return done

    def reporting_batch(**kwargs):
        written.clear()
        result = original_batch(**kwargs)  # committed when it returns
        for pk in written:
            print(f"escalated {pk}", flush=True)
        return result

    sweeps._write_escalations = slow_write
    sweeps._escalate_batch = reporting_batch
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    print("worker ready", flush=True)
    run_worker(stop, poll=0.2)


def check() -> None:
    from django.db.models import Count

    from shequ.appeals.models import Appeal, AppealEvent

    per_appeal = dict(
        AppealEvent.objects.filter(kind="escalated").values_list("appeal_id").annotate(n=Count("id"))
    )
    appeals = list(Appeal.objects.values_list("id", "escalation_level"))
    print(
        json.dumps(
            {
                "appeals": len(appeals),
                "escalated_events": sum(per_appeal.values()),
                "max_events_per_appeal": max(per_appeal.values(), default=0),
                "levels": sorted({lvl for _pk, lvl in appeals}),
                "unescalated": [pk for pk, lvl in appeals if lvl == 0],
            }
        )
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shequ.appeals.drill")
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--appeals", type=int, default=30)
    w = sub.add_parser("worker")
    w.add_argument("--slow", type=float, default=0.0)
    sub.add_parser("check")
    args = parser.parse_args(argv)
    _setup_django()
    if args.cmd == "setup":
        with suspended():  # one operator filing a batch on purpose (core.ratelimit)
            setup(args.appeals)
    elif args.cmd == "worker":
        worker(args.slow)
    else:
        check()


if __name__ == "__main__":
    main(sys.argv[1:])
