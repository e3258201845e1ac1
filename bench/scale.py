"""The scale benchmark: shequ over a generated history, every figure beside the stack's floor.

    .venv/bin/python bench/scale.py --appeals 1000000             # build (once) and measure
    .venv/bin/python bench/scale.py --appeals 1000000 --load-only # reuse the database: measure again
    .venv/bin/python bench/scale.py --drop                        # drop the benchmark database

It creates its own PostgreSQL database (`shequ_bench` unless --db names another; the server is
DATABASE_URL's, default postgres://postgres@127.0.0.1:5432), migrates, loads the demo community and
generates the history with set-based SQL (`bench/generate.py`), then starts the production server
(`shequ serve --workers N`, or --server gunicorn-sync | gunicorn-gthread | uvicorn to compare) on a
loopback port with the floor views (`bench/floor.py`) mounted beside the product, and measures:

- intake `POST /api/v1/appeals` at c=1 and c=16 beside the floor's one-INSERT view;
- every list, detail and home page and API, and the rates / league / 谁在管我家 pages, at c=1 and c=16,
  beside the floor's one-SELECT view;
- the live event stream: 1,000 open streams (time to the first event, PostgreSQL connections held);
- the sweeper: 20,000 appeals made overdue for acceptance, cleared with their notifications.

Every load run is bounded in requests and seconds and targets 127.0.0.1 only. It prints a table
(figure, floor, ratio) and writes it as JSON (--out, default bench/results/scale-<appeals>.json).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402

SERVERS = ("shequ", "uvicorn", "gunicorn-sync", "gunicorn-gthread")


def db_url(name: str) -> str:
    base = os.environ.get("BENCH_PG_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin_exec(sql: str) -> None:
    import psycopg

    base = os.environ.get("BENCH_PG_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(urlunsplit(urlsplit(base)._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def database_exists(name: str) -> bool:
    import psycopg

    base = os.environ.get("BENCH_PG_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(urlunsplit(urlsplit(base)._replace(path="/postgres")), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def bench_env(url: str, static_root: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=env.get("BENCH_SECRET_KEY", "bench-only-not-a-secret-" + "k" * 50),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_COOKIES="0",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=static_root,
        RATE_LIMITS="0",  # the load generator is one account filing thousands of appeals
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    return env


def server_command(kind: str, port: int, workers: int) -> list[str]:
    py = sys.executable
    bind = f"127.0.0.1:{port}"
    if kind == "shequ":
        return [py, "-m", "shequ.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(workers), "--no-demo", "--no-worker"]  # fmt: skip
    if kind == "uvicorn":
        return [py, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(workers), "--lifespan", "off", "--log-level", "warning",
                "--no-access-log"]  # fmt: skip
    worker = ["-k", "sync"] if kind == "gunicorn-sync" else ["-k", "gthread", "--threads", "8"]
    return [py, "-m", "gunicorn", "config.wsgi:application", "-b", bind, "-w", str(workers), *worker,
            "--log-level", "warning", "--timeout", "120"]  # fmt: skip


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    import http.client

    parts = urlsplit(url)
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
            conn.request("GET", "/bench/floor/read/1")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("server did not start")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_connections(dbname: str) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [dbname])
        return int(cur.fetchone()[0])


class Actors:
    """Demo people with a browser session cookie and an API token each."""

    PHONES = {
        "resident": "13800000001",
        "handler": "13900000043",
        "rc": "13900000003",
        "leader": "13900000091",
    }

    def __init__(self) -> None:
        from django.conf import settings
        from django.test import Client

        from shequ.accounts.models import User
        from shequ.api.auth import issue_token

        self.users = {k: User.objects.get(phone=v) for k, v in self.PHONES.items()}
        self.cookie: dict[str, str] = {}
        self.token: dict[str, str] = {}
        for key, user in self.users.items():
            client = Client()
            client.force_login(user)
            self.cookie[key] = (
                f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            )
            self.token[key] = issue_token(user=user)

    def page(self, who: str, path: str) -> load.Request:
        return ("GET", path, None, {"Cookie": self.cookie[who], "Accept-Language": "zh-hans"})

    def api(self, who: str, path: str) -> load.Request:
        return ("GET", path, None, {"Authorization": f"Bearer {self.token[who]}"})


def targets(actors: Actors) -> dict[str, tuple[str, str, str]]:
    """name → (who, kind 'page' | 'api', path) for every read the benchmark measures."""
    from django.urls import NoReverseMatch, reverse

    from shequ.appeals.models import Appeal

    resident = actors.users["resident"]
    handler = actors.users["handler"]
    mine = Appeal.objects.filter(reporter=resident).order_by("-id").values_list("id", flat=True).first()
    assigned = (
        Appeal.objects.filter(handler__isnull=True, responsible_party__memberships__user=handler)
        .order_by("-id")
        .values_list("id", "responsible_party_id")
        .first()
    )
    party_id = assigned[1] if assigned else None
    # A deep page by cursor (what the product links): the key of the 10,000th public row.
    from shequ.appeals import selectors
    from shequ.core.pagination import _encode

    deep = (
        selectors.appeal_list(user=resident, scope="public")
        .values_list("created_at", "pk")[10_000:10_001]
        .first()
    )
    after = f"after={_encode(list(deep))}" if deep else ""
    out: dict[str, tuple[str, str, str]] = {
        "home": ("resident", "page", "/"),
        "谁在管我家 who": ("resident", "page", "/who/"),
        "my appeals page": ("resident", "page", "/appeals/mine"),
        "public list page": ("resident", "page", "/appeals/public"),
        "public list page 500": ("resident", "page", "/appeals/public?page=500"),
        "public list deep (cursor)": ("resident", "page", f"/appeals/public?{after}"),
        "appeal page": ("resident", "page", f"/appeals/{mine}"),
        "workbench": ("handler", "page", "/appeals/workbench"),
        "workbench queue": ("handler", "page", "/appeals/workbench/queue"),
        "inbox": ("resident", "page", "/notifications/"),
        "escalated": ("leader", "page", "/supervision/escalated/"),
        "api mine": ("resident", "api", "/api/v1/appeals?scope=mine"),
        "api assigned": ("handler", "api", "/api/v1/appeals?scope=assigned"),
        "api public": ("resident", "api", "/api/v1/appeals?scope=public"),
        "api public page 500": ("resident", "api", "/api/v1/appeals?scope=public&page=500"),
        "api public deep (cursor)": ("resident", "api", f"/api/v1/appeals?scope=public&{after}"),
        "api appeal": ("resident", "api", f"/api/v1/appeals/{mine}"),
        "api party rates": ("leader", "api", f"/api/v1/parties/{party_id}/rates"),
    }
    # Pages that moved between apps (supervision → analytics) or that other parts of shequ add:
    # measured under whichever name exists.
    for name, url_names, who, kwargs in (
        ("league", ("analytics:league", "supervision:league"), "leader", {}),
        ("party rates page", ("analytics:party", "supervision:party"), "leader", {"pk": party_id}),
        ("street dashboard", ("analytics:street_dashboard",), "leader", {}),
        ("community dashboard", ("analytics:community_dashboard",), "leader", {}),
    ):
        for url_name in url_names:
            try:
                out[name] = (who, "page", reverse(url_name, kwargs=kwargs))
                break
            except NoReverseMatch:
                continue
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--appeals", type=int, default=1_000_000)
    parser.add_argument("--db", default="shequ_bench")
    parser.add_argument("--load-only", action="store_true", help="reuse the database as it is")
    parser.add_argument("--rebuild", action="store_true", help="drop and build the database again")
    parser.add_argument("--drop", action="store_true", help="drop the benchmark database and exit")
    parser.add_argument("--build-only", action="store_true", help="build the database, measure nothing")
    parser.add_argument(
        "--rollups", action="store_true", help="rebuild the analytics rollups (after --load-only)"
    )
    parser.add_argument(
        "--vacuum",
        action="store_true",
        help="VACUUM (ANALYZE) the appeal tables first (a copy of a built one)",
    )
    parser.add_argument(
        "--server",
        choices=SERVERS,
        default="shequ",
        help="uvicorn = uvicorn's own CLI, whose --workers socket lacks TCP_NODELAY (Kludex/uvicorn#3149):"
        " every keep-alive response then waits ~40 ms for the client's delayed ACK; `shequ serve` binds"
        " the socket itself and has no such delay (docs/performance.md)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=200, help="per run, at most")
    parser.add_argument("--seconds", type=float, default=15.0, help="per run, at most")
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--overdue", type=int, default=20_000)
    parser.add_argument("--only", default="", help="comma-separated phases: intake,reads,stream,sweep")
    parser.add_argument(
        "--pages",
        default="",
        help="measure only the reads whose name contains one of these (comma-separated)",
    )
    parser.add_argument(
        "--sweeps",
        default="",
        help="sweep phase: run only the periodic sweeps whose name starts with one of these (comma-separated;"
        " default all, e.g. 'appeals.' for escalation and callbacks without the analytics rollups)",
    )
    parser.add_argument("--out", default="")
    args = parser.parse_args()

    if not args.db.startswith(("shequ_bench", "shequ_perf")):
        parser.error("--db must start with shequ_bench or shequ_perf (a benchmark's own database)")
    if args.drop:
        admin_exec(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        print(f"dropped {args.db}")
        return
    if args.rebuild and database_exists(args.db):
        admin_exec(f'DROP DATABASE "{args.db}" WITH (FORCE)')
    fresh = not database_exists(args.db)
    if fresh:
        admin_exec(f'CREATE DATABASE "{args.db}"')
    url = db_url(args.db)
    static_root = tempfile.mkdtemp(prefix="shequ-bench-static-")
    env = bench_env(url, static_root)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from bench import floor
    from bench.generate import generate
    from shequ.appeals.models import Appeal, AppealEvent

    phases = set(filter(None, args.only.split(","))) or {"intake", "reads", "stream", "sweep"}
    report: dict = {"appeals_requested": args.appeals, "server": args.server, "workers": args.workers}
    print(f"database {args.db} ({'new' if fresh else 'kept'})", flush=True)
    if not args.load_only:
        call_command("migrate", verbosity=0, interactive=False)
        from shequ.demo.services import demo_load

        if fresh or not Appeal.objects.exists():
            demo_load(reset=False)
        have = Appeal.objects.count()
        if have < args.appeals:
            print(f"generating {args.appeals - have} appeals", flush=True)
            made = generate(appeals=args.appeals - have)
            report["generated"] = {"appeals": made.appeals, "events": made.events, "seconds": made.seconds}
            args.rollups = True
            vacuum(report)
    if args.vacuum:
        vacuum(report)
    if args.rollups:
        rebuild_rollups(report)
    floor.ensure_table()
    if args.build_only:
        print(json.dumps(report, ensure_ascii=False))
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    n_appeals = Appeal.objects.count()
    n_events = AppealEvent.objects.count()
    report.update(appeals=n_appeals, events=n_events)
    print(f"{n_appeals:,} appeals, {n_events:,} events", flush=True)

    actors = Actors()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(Path(static_root) / "server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        server_command(args.server, port, args.workers), cwd=ROOT, env=env, stdout=log, stderr=log
    )
    rows: list[dict] = []
    try:
        wait_ready(base, proc)
        report["rows"] = rows
        measure(args, phases, actors, base, rows, report)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    print_table(report)
    out = Path(args.out or ROOT / "bench" / "results" / f"scale-{args.appeals}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(f"results: {out}")
    server_log = (Path(static_root) / "server.log").read_text(errors="replace").strip()
    if server_log:
        print("server log (last lines):\n" + "\n".join(server_log.splitlines()[-15:]))


def vacuum(report: dict) -> None:
    """VACUUM (ANALYZE) the generated tables, as autovacuum would have done on a database that grew over
    three years: it sets the visibility map, without which no index-only scan skips the heap (a copy
    made with CREATE DATABASE … TEMPLATE starts with empty statistics, so autovacuum does not come
    soon). Run it on such a copy with `--vacuum`."""
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for table in ("appeals_appeal", "appeals_appealevent", "notifications_notification"):
            cur.execute(f"VACUUM (ANALYZE) {table}")
    report["vacuum_seconds"] = round(time.perf_counter() - t0, 1)
    print(f"  vacuumed in {report['vacuum_seconds']} s", flush=True)


def rollups_built() -> bool:
    try:
        from shequ.analytics.models import RollupState
    except ImportError:
        return True
    from shequ.appeals.models import AppealEvent

    state = RollupState.objects.order_by("-last_event_id").first()
    top = AppealEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return state is not None and state.last_event_id >= top - 100_000


def rebuild_rollups(report: dict) -> None:
    """The analytics rollups (per-day figures) over the generated history, when the app is there."""
    try:
        from shequ.analytics.rollups import rollup_rebuild
    except ImportError:
        return
    t0 = time.perf_counter()
    count = rollup_rebuild()
    report["rollup_rebuild"] = {"appeals": count, "seconds": round(time.perf_counter() - t0, 1)}
    print(f"  rollups rebuilt over {count:,} appeals in {report['rollup_rebuild']['seconds']} s", flush=True)


def measure(args, phases: set[str], actors: Actors, base: str, rows: list[dict], report: dict) -> None:
    from django.conf import settings

    from shequ.appeals.models import Appeal

    dbname = settings.DATABASES["default"]["NAME"]
    any_id = Appeal.objects.order_by("-id").values_list("id", flat=True).first()
    bounds = {"requests": args.requests, "seconds": args.seconds}

    def floor_read(c: int) -> load.Result:
        return load.run(
            base,
            lambda i: ("GET", f"/bench/floor/read/{any_id - (i % 1000)}", None, {}),
            name=f"floor read c={c}",
            concurrency=c,
            **bounds,
        )

    def add(figure: str, c: int, res: load.Result, floor_res: load.Result, *, by: str) -> None:
        if by == "rps":
            ratio = res.rps / floor_res.rps if floor_res.rps else 0.0
        else:  # latency: how many floors one request costs
            ratio = res.p50 / floor_res.p50 if floor_res.p50 else 0.0
        row = {
            "figure": figure,
            "c": c,
            **{k: v for k, v in res.as_dict().items() if k not in ("name", "concurrency")},
            "floor_rps": round(floor_res.rps, 2),
            "floor_p50_ms": round(floor_res.p50 * 1000, 2),
            "ratio": round(ratio, 3),
            "ratio_of": by,
        }
        rows.append(row)
        print(
            f"  {figure:28} c={c:<3} {res.rps:8.1f} req/s p50 {res.p50 * 1000:8.1f} ms p95 "
            f"{res.p95 * 1000:8.1f} ms  floor {floor_res.rps:7.1f} req/s {floor_res.p50 * 1000:6.1f} ms"
            f"  ratio {ratio:6.3f} ({by}){'  ERR ' + str(res.statuses) if res.errors else ''}",
            flush=True,
        )

    if "intake" in phases:
        from shequ.appeals.models import Category

        category = (
            Category.objects.filter(code="lift").first()
            or Category.objects.filter(is_consultation=False, parent__isnull=False).first()
        )
        token = actors.token["resident"]

        def intake(i: int) -> load.Request:
            body = json.dumps(
                {"kind": "help", "category": category.code, "text": f"基准测试：楼道灯不亮 {i}"}
            ).encode()
            return (
                "POST",
                "/api/v1/appeals",
                body,
                {
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": uuid.uuid4().hex,
                },
            )

        def floor_write(i: int) -> load.Request:
            body = json.dumps({"text": f"基准测试：楼道灯不亮 {i}"}).encode()
            return ("POST", "/bench/floor/write", body, {"Content-Type": "application/json"})

        print("intake", flush=True)
        for c in (1, 16):
            fl = load.run(base, floor_write, name="floor write", concurrency=c, **bounds)
            res = load.run(base, intake, name="intake", concurrency=c, **bounds)
            fl2 = load.run(base, floor_write, name="floor write", concurrency=c, **bounds)
            # The floor before and after, averaged: the machine is shared and drifts.
            fl.latencies += fl2.latencies
            fl.ok += fl2.ok
            fl.seconds += fl2.seconds
            add("intake POST /api/v1/appeals", c, res, fl, by="rps")

    if "reads" in phases:
        print("reads", flush=True)
        pages = targets(actors)
        if args.pages:
            wanted = args.pages.split(",")
            pages = {k: v for k, v in pages.items() if any(w in k for w in wanted)}
        if not rollups_built():
            skipped = [k for k, v in pages.items() if v[2].startswith("/analytics/")]
            report["skipped_no_rollups"] = skipped
            print(f"  rollups not built (bench/scale.py --rollups): skipping {skipped}", flush=True)
            pages = {k: v for k, v in pages.items() if k not in skipped}
        for c in (1, 16):
            fl = floor_read(c)
            for name, (who, kind, path) in pages.items():
                request = actors.page(who, path) if kind == "page" else actors.api(who, path)
                res = load.run(
                    base,
                    lambda i, r=request: r,
                    name=name,
                    concurrency=c,
                    requests=max(20, args.requests // 4) if c == 1 else args.requests,
                    seconds=args.seconds,
                )
                add(name, c, res, fl, by="latency")

    if "stream" in phases:
        print("live event stream", flush=True)
        before = pg_connections(dbname)
        cookies = [actors.cookie[k] for k in ("resident", "handler", "rc", "leader")]
        res = load.hold_streams(
            base,
            "/notifications/stream",
            cookies=cookies,
            count=args.streams,
            hold=3.0,
            while_open=lambda: {"pg_connections_open": pg_connections(dbname)},
        )
        stream = res.as_dict() | {"pg_connections_before": before}
        report["stream"] = stream
        print(f"  {stream}", flush=True)
        # Connections under c=64 on the busiest page.
        peak = [0]
        import threading

        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], pg_connections(dbname))
                time.sleep(0.2)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        res64 = load.run(
            base,
            lambda i: actors.api("handler", "/api/v1/appeals?scope=assigned"),
            name="api assigned c=64",
            concurrency=64,
            requests=args.requests,
            seconds=args.seconds,
        )
        stop.set()
        watcher.join()
        report["c64"] = res64.as_dict() | {"pg_connections_peak": peak[0]}
        print(f"  c=64 api assigned: {report['c64']}", flush=True)

    if "sweep" in phases:
        report["sweep"] = sweep(args.overdue, sweeps=tuple(filter(None, args.sweeps.split(","))))
        print(f"  sweep: {report['sweep']}", flush=True)


def overdue_for_acceptance(count: int) -> list[int]:
    """Make the first `count` appeals (by id; the same rows each run) dispatched and overdue for acceptance
    by 30 h, with no job pending: the starting point of the sweep phase here and of `bench/sweep.py`."""
    from datetime import timedelta

    from django.db import connection

    from shequ.appeals.models import Appeal, Status
    from shequ.core import clock

    now = clock.now()  # the deadlines are set against the real clock; the sweeper runs on it too
    ids = list(Appeal.objects.order_by("id").values_list("id", flat=True)[:count])
    with connection.cursor() as cur:
        cur.execute(
            """
            UPDATE appeals_appeal SET status = %s, accepted_at = NULL, resolved_at = NULL,
                   closed_at = NULL, rating = NULL, solved = NULL, rated_at = NULL,
                   closed_unrated = false, callback_due_at = NULL, escalation_level = 0,
                   escalated_to_id = NULL, accept_due_at = %s,
                   next_due_at = CASE WHEN kind <> 'consult' THEN %s END
            WHERE id = ANY(%s)
            """,
            [Status.DISPATCHED, now - timedelta(hours=30), now - timedelta(hours=30), ids],
        )
        cur.execute("DELETE FROM core_job WHERE status <> 'done'")
        cur.execute("ANALYZE appeals_appeal")
    return ids


def sweep(count: int, sweeps: tuple[str, ...] = ()) -> dict:
    """Make `count` appeals overdue for acceptance (the same ones each run) and time the sweeper
    clearing them: every escalation rung it owes, with its notifications, until nothing is left."""
    from django.db import connection

    from shequ.appeals.models import Appeal, Status
    from shequ.core import clock, jobs

    ids = overdue_for_acceptance(count)
    jobs.discover()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM appeals_appeal WHERE status = 'resolved' AND callback_due_at IS NOT NULL"
        )
        callbacks_pending = cur.fetchone()[0]
    worker = jobs.worker_name()
    t0 = time.perf_counter()
    passes = []
    escalated = 0
    ran = 0
    limit = 600.0  # bounded: a sweeper that has not cleared them by then has failed the target
    timings: dict[str, float] = {}  # seconds spent in each sweep and in the jobs, over all passes

    def timed(key: str, func, *a):
        t = time.perf_counter()
        try:
            return func(*a)
        except Exception:  # as `jobs.run_periodics`: a failed sweep is reported, the pass goes on
            import logging

            logging.getLogger("bench").exception("sweep %s failed", key)
            return -1
        finally:
            timings[key] = round(timings.get(key, 0.0) + time.perf_counter() - t, 1)

    while time.perf_counter() - t0 < limit:
        now = clock.now()
        # Every periodic sweep, as a worker runs them (`jobs.run_periodics`), each timed on its own.
        results = {
            name: timed(name, item.func, now)
            for name, item in jobs.PERIODICS.items()
            if not sweeps or name.startswith(sweeps)
        }
        passes.append(results)
        moved = sum(v for k, v in results.items() if k != "jobs")
        escalated += sum(v for k, v in results.items() if "escalat" in k)
        done_jobs = 0
        t_jobs = time.perf_counter()
        while time.perf_counter() - t0 < limit:
            claimed = jobs.claim(worker)
            if not claimed:
                break
            for job_id in claimed:
                done_jobs += int(jobs.run_job(job_id, worker=worker))
        timings["jobs"] = round(timings.get("jobs", 0.0) + time.perf_counter() - t_jobs, 1)
        ran += done_jobs
        if moved == 0 and done_jobs == 0:
            break
    seconds = time.perf_counter() - t0
    left = Appeal.objects.filter(
        pk__in=ids, status=Status.DISPATCHED, escalation_level=0, kind__in=["help", "complaint"]
    ).count()
    return {
        "overdue": count,
        "resolved_awaiting_callback": callbacks_pending,
        "sweeps": list(sweeps) or "all",
        "seconds": round(seconds, 1),
        "passes": len(passes),
        "escalations": escalated,
        "jobs": ran,
        "escalations_per_s": round(escalated / seconds, 1) if seconds else 0,
        "left_unescalated": left,
        "cleared": left == 0 and time.perf_counter() - t0 < limit,
        "seconds_by_sweep": timings,
        "results_by_pass": passes,
    }


def print_table(report: dict) -> None:
    rows = report.get("rows", [])
    print()
    print(f"{report.get('appeals', 0):,} appeals, {report.get('events', 0):,} events; server {report['server']}"
          f" ×{report['workers']}")  # fmt: skip
    print("| figure | c | req/s | p50 ms | p95 ms | floor | ratio |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        floor_txt = f"{r['floor_rps']} req/s" if r["ratio_of"] == "rps" else f"{r['floor_p50_ms']} ms"
        kind = "× floor req/s" if r["ratio_of"] == "rps" else "× floor p50"
        print(
            f"| {r['figure']} | {r['c']} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {floor_txt} |"
            f" {r['ratio']} {kind} |"
        )
    if "stream" in report:
        print(f"live streams: {report['stream']}")
    if "c64" in report:
        print(f"c=64: {report['c64']}")
    if "sweep" in report:
        print(f"sweeper: {report['sweep']}")


if __name__ == "__main__":
    main()
