"""Benchmark: do the busiest list pages stay flat as a community's history grows?

Loads the demo community into a scratch database, files appeals through the real service in two
rounds (small, then 20x larger history), and times — in the same run — the handler's assigned-queue
API, the resident's "my appeals" API, the public list page and the workbench page. Reports queries per
request and the large/small time ratio (≈1.0 means the page does not slow down as data grows).

    .venv/bin/python bench/bench_lists.py [--small 100] [--large 2000] [--repeat 30]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_bench .venv/bin/python bench/bench_lists.py

Quote ratios from one run only; the machines are shared and absolute times are noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="shequ-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["MEDIA_ROOT"] = f"{tmp}/media"
    os.environ["SHEQU_JOBS_INLINE"] = "0"
    os.environ["RATE_LIMITS"] = "0"  # one operator files thousands of appeals on purpose
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
    from shequ.appeals import services
    from shequ.appeals.models import Appeal, Category
    from shequ.demo.services import demo_load

    demo_load(reset=True)
    resident = User.objects.get(phone="13800000001")
    handler = User.objects.get(phone="13900000043")
    household = resident.residencies.first().household
    categories = list(Category.objects.filter(parent__isnull=False, is_consultation=False)[:8]) or list(
        Category.objects.filter(is_consultation=False)[:8]
    )

    def file(n: int) -> None:
        for i in range(n):
            services.appeal_create(
                reporter=resident,
                kind="help",
                category=categories[i % len(categories)],
                place=household,
                text=f"基准测试诉求 {i}",
            )

    pages = {
        "api assigned (handler)": (handler, "/api/v1/appeals?scope=assigned&page_size=20"),
        "api mine (resident)": (resident, "/api/v1/appeals?scope=mine&page_size=20"),
        "public list page": (resident, "/appeals/public"),
        "workbench page": (handler, "/appeals/workbench"),
    }
    clients = {}
    for user in {resident, handler}:
        client = Client()
        client.force_login(user)
        clients[user.pk] = client

    def measure() -> dict[str, tuple[float, int]]:
        out = {}
        for name, (user, url) in pages.items():
            client = clients[user.pk]
            assert client.get(url).status_code == 200, url
            connection.queries_log.clear()  # the log is a bounded deque; filing may have filled it
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            samples = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                client.get(url)
                samples.append(time.perf_counter() - t0)
            out[name] = (statistics.median(samples), len(ctx.captured_queries))
        return out

    file(args.small)
    small_n = Appeal.objects.count()
    small = measure()
    file(args.large - args.small)
    large_n = Appeal.objects.count()
    large = measure()

    print(
        f"database: {connection.vendor}; appeals: {small_n} then {large_n}; median of {args.repeat} requests"
    )
    print(f"{'page':28} {'queries':>9} {'ms small':>9} {'ms large':>9} {'ratio':>6}")
    for name in pages:
        (t_small, q_small), (t_large, q_large) = small[name], large[name]
        print(
            f"{name:28} {q_small:>4}/{q_large:<4} {t_small * 1000:9.1f} {t_large * 1000:9.1f} {t_large / t_small:6.2f}"
        )


if __name__ == "__main__":
    main()
