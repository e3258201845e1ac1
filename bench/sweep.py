"""The sweeper benchmark: 20,000 appeals overdue for acceptance, cleared with their notifications by N
worker processes at once, each checked for exactly-once.

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE shequ_sweep TEMPLATE shequ_bench1m"
    .venv/bin/python bench/sweep.py --db shequ_sweep --workers 2 --out bench/results/sweep-….json

The database must be a throwaway copy of a generated history (`bench/scale.py --build-only`): the run
makes the first `--overdue` appeals (by id) overdue for acceptance by 30 hours (three rungs each for most
categories), as `bench/scale.py`'s sweep phase does, once `--workers` processes are running. Each is a
worker's loop (`shequ.core.jobs`: the periodic sweeps whose name starts with `--sweeps`, default
`appeals.`, then every due job: the delivery jobs of the outbox) and stops once nothing is due, no job
is queued or running and no overdue appeal is left. The time is from the start of the first worker to
the exit of the last; beside it, the CPU seconds the workers and their PostgreSQL backends used (on a
shared machine the wall time follows the other load, the CPU time much less). Then it checks: every overdue appeal climbed, no rung twice, one inbox row per
(recipient, event), every outbox row sent once, no job failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _django(url: str) -> None:
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY", "bench-only-not-a-secret-" + "k" * 50),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )
    import django

    django.setup()


def db_url(name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    base = os.environ.get("BENCH_PG_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def make_overdue(count: int) -> dict:
    """The first `count` appeals, dispatched and overdue for acceptance by 30 h (the same rows each run, made
    so by `bench/scale.py`'s `overdue_for_acceptance`, the one definition), and where the run starts."""
    from django.db import connection

    from bench.scale import overdue_for_acceptance

    ids = overdue_for_acceptance(count)
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM appeals_appealevent")
        last_event = cur.fetchone()[0]
        cur.execute("SELECT coalesce(max(id), 0) FROM notifications_notification")
        last_note = cur.fetchone()[0]
        cur.execute("SELECT coalesce(max(id), 0) FROM core_job")
        last_job = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FROM appeals_appeal WHERE status = 'resolved' AND callback_due_at IS NOT NULL"
        )
        callbacks = cur.fetchone()[0]
    return {
        "ids": [ids[0], ids[-1]] if ids else [],
        "after": {"event": last_event, "notification": last_note, "job": last_job},
        "resolved_awaiting_callback": callbacks,
    }


def _busy() -> bool:
    """Anything left for a worker: a queued or running job, or an appeal due now."""
    from shequ.appeals.models import Appeal
    from shequ.core import clock
    from shequ.core.models import Job

    return (
        Job.objects.filter(
            status__in=[Job.Status.QUEUED, Job.Status.RUNNING], run_at__lte=clock.now()
        ).exists()
        or Appeal.objects.filter(next_due_at__lte=clock.now()).exists()
    )


def worker(prefixes: tuple[str, ...], limit: float) -> None:
    """A worker's loop (`jobs.run_worker` without the schedule: every sweep at each pass), timed."""
    from django.db import connection
    from django.urls import get_resolver

    from shequ.core import clock, jobs

    jobs.discover()
    name = jobs.worker_name()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    get_resolver().check()  # as a worker that has run before: the URLconf its messages link with, loaded
    print("ready", flush=True)
    sys.stdin.readline()  # "go": the appeals are overdue now
    backend_cpu, cpu0 = _cpu_of(backend), time.process_time()
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    counts: dict[str, int] = {}
    while time.perf_counter() - t0 < limit:
        moved = 0
        for key, item in jobs.PERIODICS.items():
            if not key.startswith(prefixes):
                continue
            t = time.perf_counter()
            n = item.func(clock.now())
            timings[key] = timings.get(key, 0.0) + time.perf_counter() - t
            counts[key] = counts.get(key, 0) + max(n, 0)
            moved += max(n, 0)
        t = time.perf_counter()
        ran = 0
        while time.perf_counter() - t0 < limit:
            ids = jobs.claim(name)
            if not ids:
                break
            for job_id in ids:
                ran += int(jobs.run_job(job_id, worker=name))
        timings["jobs"] = timings.get("jobs", 0.0) + time.perf_counter() - t
        counts["jobs"] = counts.get("jobs", 0) + ran
        if not moved and not ran and not _busy():
            break
    seconds = time.perf_counter() - t0
    cpu = {
        "worker": round(time.process_time() - cpu0, 1),
        "postgres": round(_cpu_of(backend) - backend_cpu, 1),
    }
    print(json.dumps({"seconds": round(seconds, 1), "counts": counts} | {
        "seconds_by": {k: round(v, 1) for k, v in timings.items()}, "cpu_seconds": cpu
    }), flush=True)  # fmt: skip


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) of a process on this machine (the worker's PostgreSQL backend)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # a server on another machine: not measured
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def check(setup: dict, count: int) -> dict:
    """Exactly once: rungs, inbox rows, outbox rows, jobs."""
    from django.db import connection

    after = setup["after"]
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT count(*) FILTER (WHERE a.escalation_level = 0 AND a.kind IN ('help', 'complaint')),
                   count(*) FILTER (WHERE a.next_due_at <= now())
              FROM (SELECT * FROM appeals_appeal ORDER BY id LIMIT %s) a
            """,
            [count],
        )
        unescalated, still_due = cur.fetchone()
        cur.execute(
            """
            SELECT count(*), count(DISTINCT (appeal_id, data->>'level'))
              FROM appeals_appealevent WHERE id > %s AND kind = 'escalated'
            """,
            [after["event"]],
        )
        escalations, distinct_rungs = cur.fetchone()
        cur.execute("SELECT count(*) FROM appeals_appealevent WHERE id > %s", [after["event"]])
        events = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*), count(DISTINCT (recipient_id, key)) FROM notifications_notification WHERE id > %s",
            [after["notification"]],
        )
        inbox, distinct_inbox = cur.fetchone()
        cur.execute(
            """
            SELECT d.status, count(*), sum(d.attempts) FROM notifications_delivery d
             WHERE d.notification_id > %s GROUP BY d.status ORDER BY d.status
            """,
            [after["notification"]],
        )
        outbox = {status: {"rows": n, "attempts": int(a)} for status, n, a in cur.fetchall()}
        cur.execute(
            "SELECT name, status, count(*) FROM core_job WHERE id > %s GROUP BY name, status ORDER BY 1, 2",
            [after["job"]],
        )
        jobs = {f"{name} {status}": n for name, status, n in cur.fetchall()}
    return {
        "left_unescalated": unescalated,
        "still_due": still_due,
        "events": events,
        "escalations": escalations,
        "rungs_written_twice": escalations - distinct_rungs,
        "inbox_rows": inbox,
        "inbox_duplicates": inbox - distinct_inbox,
        "outbox": outbox,
        "jobs": jobs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="a throwaway copy of the benchmark database")
    parser.add_argument("--overdue", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--sweeps", default="appeals.", help="periodic sweeps to run (name prefixes, comma-separated)"
    )
    parser.add_argument("--limit", type=float, default=600.0, help="seconds before a worker gives up")
    parser.add_argument("--out", default="")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.db in ("shequ", "shequ_bench1m") or not args.db.startswith("shequ_"):
        parser.error("--db must be a throwaway copy (shequ_<name>), never the benchmark's template")
    url = db_url(args.db)
    _django(url)
    prefixes = tuple(filter(None, args.sweeps.split(",")))
    if args.worker:
        worker(prefixes, args.limit)
        return
    cmd = [
        sys.executable,
        __file__,
        "--db",
        args.db,
        "--sweeps",
        args.sweeps,
        "--limit",
        str(args.limit),
        "--worker",
    ]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(args.workers)
    ]
    for p in procs:  # running workers (Django loaded, connected) before anything falls due
        assert p.stdout is not None and p.stdout.readline().strip() == "ready", "a worker did not start"
    setup = make_overdue(args.overdue)
    from django.db import connections

    connections.close_all()
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    outs = []
    for p in procs:
        out, _ = p.communicate()
        lines = [ln for ln in out.splitlines() if ln.startswith("{")]
        outs.append(json.loads(lines[-1]) if lines else {"rc": p.returncode})
    seconds = time.perf_counter() - t0
    result = {
        "db": args.db,
        "overdue": args.overdue,
        "workers": args.workers,
        "sweeps": list(prefixes),
        "seconds": round(seconds, 1),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "cpu_seconds": {
            key: round(sum(w.get("cpu_seconds", {}).get(key, 0.0) for w in outs), 1)
            for key in ("worker", "postgres")
        },
        "by_worker": outs,
        "resolved_awaiting_callback": setup["resolved_awaiting_callback"],
    } | check(setup, args.overdue)
    result["escalations_per_s"] = round(result["escalations"] / seconds, 1) if seconds else 0
    result["cleared"] = (
        result["left_unescalated"] == 0
        and result["still_due"] == 0
        and result["rungs_written_twice"] == 0
        and result["inbox_duplicates"] == 0
        and set(result["outbox"]) <= {"sent", "skipped"}
    )
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
