"""Where a page's time goes, in one process: every read the scale benchmark measures (`scale.targets`),
requested through Django's test client against a benchmark database, with the wall time, the number of
queries, the web process's CPU time (`time.process_time`: what a busy shared machine moves least)
and the time spent waiting on PostgreSQL, and optionally a cProfile of one page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_bench_copy \\
        python bench/inprocess.py [--pages home,workbench] [--runs 15] [--profile workbench]

Times are medians of `--runs` requests after two warm-up requests, so a shared machine's noise moves them
less than a load run's percentiles; compare them with each other, not with the HTTP figures.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-in-process-only-not-a-secret-" + "k" * 50)
for name, value in {"DEBUG": "0", "ALLOWED_HOSTS": "testserver", "SECURE_COOKIES": "0"}.items():
    os.environ.setdefault(name, value)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("RATE_LIMITS", "0")
# Collected static files, as `shequ serve` and the scale benchmark's server have them: without a manifest
# every `{% static %}` reads and hashes its file (≈0.1 ms each, 15–20 per page).
STATIC_ROOT = tempfile.mkdtemp(prefix="shequ-inprocess-static-")
os.environ.setdefault("STATIC_ROOT", STATIC_ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", help="comma-separated parts of page names (default: all)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--profile", help="a page name to run under cProfile (top 40 by own time)")
    parser.add_argument("--intake", action="store_true", help="also file appeals (POST /api/v1/appeals)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench import scale

    call_command("collectstatic", interactive=False, verbosity=0)
    actors = scale.Actors()
    pages = scale.targets(actors)
    if args.pages:
        wanted = args.pages.split(",")
        pages = {k: v for k, v in pages.items() if any(w in k for w in wanted)}

    if args.intake:
        import json
        import uuid

        from shequ.appeals.models import Category

        category = (
            Category.objects.filter(code="lift").first()
            or Category.objects.filter(is_consultation=False, parent__isnull=False).first()
        )
        pages = {"intake POST /api/v1/appeals": ("resident", "intake", category.code), **pages}

    clients: dict[str, Client] = {}
    for key, user in actors.users.items():
        clients[key] = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        clients[key].force_login(user)

    def request(who: str, kind: str, path: str):
        client = clients[who]
        if kind == "intake":
            body = {"kind": "help", "category": path, "text": "基准测试：楼道灯不亮"}
            return client.post(
                "/api/v1/appeals",
                json.dumps(body),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {actors.token[who]}",
                HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
            )
        if kind == "api":
            return client.get(path, HTTP_AUTHORIZATION=f"Bearer {actors.token[who]}")
        return client.get(path)

    sql_seconds = [0.0]
    sql_count = [0]

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_seconds[0] += time.perf_counter() - started
            sql_count[0] += 1

    print(f"{'page':32} {'status':>6} {'wall ms':>8} {'cpu ms':>7} {'sql ms':>7} {'queries':>7}")
    for name, (who, kind, path) in pages.items():
        for _ in range(2):
            request(who, kind, path)
        walls, cpus, sqls = [], [], []
        status = 0
        with connection.execute_wrapper(timer):
            for _ in range(args.runs):
                sql_seconds[0], sql_count[0] = 0.0, 0
                started, cpu = time.perf_counter(), time.process_time()
                status = request(who, kind, path).status_code
                walls.append(time.perf_counter() - started)
                cpus.append(time.process_time() - cpu)
                sqls.append(sql_seconds[0])
        print(
            f"{name:32} {status:>6} {statistics.median(walls) * 1000:8.1f} {statistics.median(cpus) * 1000:7.1f} "
            f"{statistics.median(sqls) * 1000:7.1f} {sql_count[0]:7d}"
        )
        if args.profile and args.profile == name:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.runs):
                request(who, kind, path)
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(40)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(STATIC_ROOT, ignore_errors=True)
