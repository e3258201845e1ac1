"""Benchmark: a project's public account and a station's page as their history grows.

Loads the demo community into a scratch database, then in one run:

* builds a micro-project's books in two rounds (100, then 10,000 entries: received pledges and
  payments, bulk-inserted) and times `project_account` (two grouped SUM queries) against a trivial
  reference — fetching the project's one row by primary key — and against summing the same rows in
  Python; it also times the project page and counts its queries at both sizes;
* gives the demo mutual-aid station a history (100, then 2,000 appeals it received, with service hours)
  and times the station page, counting its queries at both sizes.

    .venv/bin/python bench/bench_coordination.py [--small 100] [--large 10000] [--repeat 30]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_bench_coord .venv/bin/python bench/bench_coordination.py

Quote ratios from one run only; the machines are shared and absolute times are noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def median_ms(func, repeat: int) -> float:
    func()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=10000)
    parser.add_argument("--station-large", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="shequ-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["MEDIA_ROOT"] = f"{tmp}/media"
    os.environ["SHEQU_JOBS_INLINE"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from shequ.accounts.models import User
    from shequ.appeals import services as appeal_services
    from shequ.appeals.models import Appeal, Category
    from shequ.core import clock
    from shequ.demo.services import demo_load
    from shequ.directory.models import Party, Place
    from shequ.projects import services as project_services
    from shequ.projects.models import Funding, Project, Source, Spending
    from shequ.projects.selectors import project_account
    from shequ.stations import services as station_services
    from shequ.stations.models import ServiceLog, Skill, Volunteer

    demo_load(reset=True)
    director = User.objects.get(phone="13900000004")
    env = Party.objects.get(code="demo-sigma-env")
    sigma = Place.objects.get(code="demo-sigma")
    project = project_services.project_create(
        actor=director, party=env, place=sigma, title="基准测试项目", budget="1000000.00"
    )
    sources = Source.values

    def books(n: int) -> None:
        """n entries: half received pledges, half payments (each payment below what its source received)."""
        now = clock.now()
        half = n // 2
        Funding.objects.bulk_create(
            Funding(
                project=project,
                source=sources[i % 4],
                payer_name=f"出资方{i}",
                amount=Decimal("100.00") + i % 7,
                status="received",
                received_at=now,
                recorded_by=director,
            )
            for i in range(half)
        )
        Spending.objects.bulk_create(
            Spending(
                project=project,
                source=sources[i % 4],
                amount=Decimal("50.25"),
                payee="收款方",
                description="支出",
                spent_on=now.date(),
                receipt="projects/bench.pdf",
                recorded_by=director,
            )
            for i in range(n - half)
        )

    def python_sum() -> Decimal:
        received = sum(
            (f.amount for f in Funding.objects.filter(project=project, status="received")), Decimal(0)
        )
        return received - sum((s.amount for s in Spending.objects.filter(project=project)), Decimal(0))

    def reference() -> None:
        Project.objects.filter(pk=project.pk).values_list("budget", flat=True).get()

    resident = Client()
    resident.force_login(User.objects.get(phone="13800000001"))
    project_url = f"/projects/{project.pk}/"

    def project_page() -> None:
        assert resident.get(project_url).status_code == 200

    def queries(func) -> int:
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            func()
        return len(ctx.captured_queries)

    rows = {}
    books(args.small)
    for label in ("small", "large"):
        if label == "large":
            books(args.large - args.small)
        account = project_account(project=project)
        assert account.balance == python_sum()
        rows[label] = {
            "entries": Funding.objects.filter(project=project).count()
            + Spending.objects.filter(project=project).count(),
            "reference": median_ms(reference, args.repeat),
            "account": median_ms(lambda: project_account(project=project), args.repeat),
            "python": median_ms(python_sum, max(3, args.repeat // 5)),
            "page": median_ms(project_page, args.repeat),
            "page_queries": queries(project_page),
            "account_queries": queries(lambda: project_account(project=project)),
        }

    # ---------------------------------------------------------------- the station page
    station = Party.objects.get(code="demo-sigma-aid")
    volunteer_user = User.objects.get(phone="13900000064")
    volunteer = station_services.volunteer_join(user=volunteer_user, station=station, skills=[Skill.REPAIR])
    dispute = Category.objects.get(code="neighbour-dispute")
    reporter = User.objects.get(phone="13800000001")
    template = appeal_services.appeal_create(
        reporter=reporter,
        kind="help",
        category=dispute,
        place=reporter.residencies.first().household,
        text="基准",
    )

    def history(n: int) -> None:
        base = Appeal.objects.count()
        clones = []
        for i in range(n):
            a = Appeal.objects.get(pk=template.pk)
            a.pk = None
            a.number = f"B{base + i:013d}"
            a.status = ("resolved", "closed", "in_progress", "dispatched")[i % 4]
            a.escalation_level = 1 if i % 5 == 0 else 0
            clones.append(a)
        made = Appeal.objects.bulk_create(clones)
        made = list(Appeal.objects.filter(number__in=[a.number for a in clones]).values_list("id", flat=True))
        ServiceLog.objects.bulk_create(
            ServiceLog(
                station=station, volunteer=volunteer, appeal_id=pk, minutes=30, served_on=clock.now().date()
            )
            for pk in made[::2]
        )

    station_url = f"/stations/{station.pk}/"

    def station_page() -> None:
        assert resident.get(station_url).status_code == 200

    station_rows = {}
    history(args.small)
    for label in ("small", "large"):
        if label == "large":
            history(args.station_large - args.small)
        station_rows[label] = {
            "appeals": Appeal.objects.filter(first_party=station).count(),
            "page": median_ms(station_page, args.repeat),
            "queries": queries(station_page),
        }
    assert Volunteer.objects.filter(station=station).exists()

    s, lg = rows["small"], rows["large"]
    print(f"database: {connection.vendor}; median of {args.repeat} (Python sum: {max(3, args.repeat // 5)})")
    print(f"project account, {s['entries']} then {lg['entries']} entries:")
    print(f"  {'':34} {'ms small':>9} {'ms large':>9} {'ratio':>6}")
    for key, name in (
        ("reference", "reference: one row by primary key"),
        ("account", "project_account (SUM in SQL)"),
        ("python", "same sums in Python"),
        ("page", "project page"),
    ):
        print(f"  {name:34} {s[key]:9.2f} {lg[key]:9.2f} {lg[key] / s[key]:6.2f}")
    print(
        f"  account / reference at {lg['entries']} entries: {lg['account'] / lg['reference']:.1f}x; "
        f"Python / SQL: {lg['python'] / lg['account']:.1f}x"
    )
    print(
        f"  queries: account {s['account_queries']}/{lg['account_queries']}, page {s['page_queries']}/{lg['page_queries']}"
    )
    ss, sl = station_rows["small"], station_rows["large"]
    print(f"station page, {ss['appeals']} then {sl['appeals']} appeals received:")
    print(
        f"  queries {ss['queries']}/{sl['queries']}; ms {ss['page']:.1f} then {sl['page']:.1f}; ratio {sl['page'] / ss['page']:.2f}"
    )


if __name__ == "__main__":
    main()
