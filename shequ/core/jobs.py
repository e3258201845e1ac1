"""A small database-backed job queue with periodic sweeps.

* `enqueue()` writes a Job row inside the caller's transaction, so a job exists
  exactly when the change that needs it committed (no lost work on a crash).
* Workers claim rows with a conditional UPDATE (status/lock check in the WHERE),
  so several workers never run one job at the same time.
* A handler runs in the same transaction that marks its job done: a worker
  killed mid-job leaves the job to be re-claimed after its lock expires, and its
  effects were rolled back with it.
* Periodic sweeps (`@periodic`) run on every worker tick; they must claim their own
  rows with conditional updates and be idempotent.

Handlers live in each app's `jobs.py`, found by autodiscovery.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import F, Q
from django.utils.module_loading import autodiscover_modules

from shequ.core import clock
from shequ.core.models import Job

log = logging.getLogger("shequ.jobs")

HANDLERS: dict[str, Callable[..., None]] = {}
LOCK_SECONDS = 120


@dataclass
class Periodic:
    name: str
    func: Callable[[datetime], int]
    every: float
    last_run: float = 0.0


PERIODICS: dict[str, Periodic] = {}


def handler(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a job handler: `@handler("appeals.notify")` then `enqueue("appeals.notify", appeal_id=1)`."""

    def register(func: Callable[..., None]) -> Callable[..., None]:
        HANDLERS[name] = func
        return func

    return register


def periodic(name: str, *, every: float) -> Callable[[Callable[[datetime], int]], Callable[[datetime], int]]:
    """Register a sweep `func(now) -> processed count`, run by workers every `every` seconds."""

    def register(func: Callable[[datetime], int]) -> Callable[[datetime], int]:
        PERIODICS[name] = Periodic(name=name, func=func, every=every)
        return func

    return register


def discover() -> None:
    autodiscover_modules("jobs")


def enqueue(
    name: str,
    *,
    run_at: datetime | None = None,
    dedupe_key: str | None = None,
    new_key: bool = False,
    **payload,
) -> Job | None:
    """Queue a job in the current transaction. With a dedupe_key, a second enqueue is a no-op.
    `new_key`: the caller knows the key was never used (it names a row created in this transaction), so
    the insert needs no savepoint to survive a duplicate — two statements fewer on every filing."""
    if name not in HANDLERS:
        discover()
        if name not in HANDLERS:
            raise KeyError(f"unknown job {name!r}")
    job = Job(name=name, payload=payload, run_at=run_at or clock.now(), dedupe_key=dedupe_key)
    if new_key:
        job.save()
    else:
        try:
            with transaction.atomic():
                job.save()
        except IntegrityError:
            if dedupe_key is None:
                raise
            return None
    if settings.SHEQU_JOBS_INLINE and run_at is None:
        transaction.on_commit(lambda: run_job(job.pk, worker="inline"))
    return job


def enqueue_many(name: str, payloads: list[dict], *, dedupe_keys: list[str]) -> int:
    """Queue many jobs of one kind in the current transaction with one INSERT (fan-out of a batch).
    Each has its dedupe key: a key already queued is skipped. Returns how many were queued."""
    if name not in HANDLERS:
        discover()
        if name not in HANDLERS:
            raise KeyError(f"unknown job {name!r}")
    if not payloads:
        return 0
    now = clock.now()
    rows = [
        Job(name=name, payload=payload, run_at=now, dedupe_key=key)
        for payload, key in zip(payloads, dedupe_keys, strict=True)
    ]
    existing = set(Job.objects.filter(dedupe_key__in=dedupe_keys).values_list("dedupe_key", flat=True))
    Job.objects.bulk_create([r for r in rows if r.dedupe_key not in existing], ignore_conflicts=True)
    if settings.SHEQU_JOBS_INLINE:
        ids = list(
            Job.objects.filter(name=name, dedupe_key__in=dedupe_keys, status=Job.Status.QUEUED).values_list(
                "id", flat=True
            )
        )
        transaction.on_commit(lambda: [run_job(i, worker="inline") for i in ids])
    return len(rows) - len(existing)


def _claimable(now: datetime) -> Q:
    due = Q(status=Job.Status.QUEUED, run_at__lte=now)
    stale = Q(status=Job.Status.RUNNING, locked_until__lt=now)
    return due | stale


def claim(worker: str, *, limit: int = 20, now: datetime | None = None) -> list[int]:
    now = now or clock.now()
    candidates = list(
        Job.objects.filter(_claimable(now)).order_by("run_at", "id").values_list("id", flat=True)[: limit * 2]
    )
    claimed: list[int] = []
    for job_id in candidates:
        won = (
            Job.objects.filter(_claimable(now), id=job_id)
            .filter(attempts__lt=F("max_attempts"))
            .update(
                status=Job.Status.RUNNING,
                locked_by=worker,
                locked_until=now + timedelta(seconds=LOCK_SECONDS),
                attempts=F("attempts") + 1,
            )
        )
        if won:
            claimed.append(job_id)
            if len(claimed) >= limit:
                break
    return claimed


def run_job(job_id: int, *, worker: str) -> bool:
    """Run one claimed (or inline) job; returns True when it finished."""
    job = Job.objects.filter(id=job_id).first()
    if job is None or job.status == Job.Status.DONE:
        return False
    func = HANDLERS.get(job.name)
    if func is None:
        discover()
        func = HANDLERS.get(job.name)
    try:
        with transaction.atomic():
            if func is None:
                raise KeyError(f"no handler for {job.name}")
            func(**job.payload)
            done = (
                Job.objects.filter(id=job_id)
                .exclude(status=Job.Status.DONE)
                .update(status=Job.Status.DONE, finished_at=clock.now(), locked_until=None, last_error="")
            )
            if not done:
                # Another worker finished it first: roll our effects back.
                raise _AlreadyDone()
        return True
    except _AlreadyDone:
        return False
    except Exception:
        attempts = Job.objects.filter(id=job_id).values_list("attempts", "max_attempts").first() or (1, 1)
        failed = attempts[0] >= attempts[1]
        backoff = min(2 ** attempts[0] * 5, 3600)
        Job.objects.filter(id=job_id).update(
            status=Job.Status.FAILED if failed else Job.Status.QUEUED,
            run_at=clock.now() + timedelta(seconds=backoff),
            locked_until=None,
            last_error=traceback.format_exc()[-4000:],
        )
        log.exception("job %s #%s failed (attempt %s)", job.name, job_id, attempts[0])
        return False


class _AlreadyDone(Exception):
    pass


def run_periodics(now: datetime | None = None, *, force: bool = False) -> dict[str, int]:
    discover()
    results: dict[str, int] = {}
    mono = time.monotonic()
    for item in PERIODICS.values():
        if not force and mono - item.last_run < item.every:
            continue
        item.last_run = mono
        try:
            results[item.name] = item.func(now or clock.now())
        except Exception:
            log.exception("sweep %s failed", item.name)
            results[item.name] = -1
    return results


def run_once(*, worker: str | None = None, now: datetime | None = None, force: bool = True) -> dict[str, int]:
    """One pass: every sweep, then every due job. Returns counts (for `shequ sweep`)."""
    worker = worker or worker_name()
    results = run_periodics(now, force=force)
    ran = 0
    while True:
        ids = claim(worker, now=now)
        if not ids:
            break
        for job_id in ids:
            ran += int(run_job(job_id, worker=worker))
    results["jobs"] = ran
    return results


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def run_worker(stop: threading.Event, *, poll: float = 1.0) -> None:
    """Loop until `stop` is set: sweeps on their schedule, then due jobs."""
    discover()
    worker = worker_name()
    log.info("worker %s started", worker)
    while not stop.is_set():
        close_old_connections()
        busy = False
        try:
            run_periodics()
            ids = claim(worker)
            for job_id in ids:
                if stop.is_set():
                    break
                run_job(job_id, worker=worker)
            busy = bool(ids)
        except Exception:
            log.exception("worker tick failed")
        if not busy:
            stop.wait(poll)
    close_old_connections()
    log.info("worker %s stopped", worker)
