"""The job queue: claim, run, retry, stale locks, no double claims, and `shequ sweep --now`."""

import threading
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from shequ.core import clock, jobs
from shequ.core.models import Job

CALLS: list[dict] = []


@jobs.handler("test.ok")
def _ok(**payload) -> None:
    CALLS.append(payload)
    Job.objects.create(name="test.side_effect", payload=payload, status="done")  # rolled back on failure


@jobs.handler("test.boom")
def _boom(**payload) -> None:
    Job.objects.create(name="test.side_effect", payload=payload, status="done")
    raise RuntimeError("boom")


SEEN_NOW: list[datetime] = []


@jobs.periodic("test.sweep", every=3600)
def _sweep(now: datetime) -> int:
    SEEN_NOW.append(now)
    return 3


@pytest.fixture(autouse=True)
def _queue(settings):
    settings.SHEQU_JOBS_INLINE = False
    CALLS.clear()
    SEEN_NOW.clear()


def test_enqueue_claim_run(db):
    job = jobs.enqueue("test.ok", n=1)
    assert job.status == Job.Status.QUEUED
    ids = jobs.claim("w1")
    assert ids == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.locked_by, job.attempts) == (Job.Status.RUNNING, "w1", 1)
    assert jobs.run_job(job.pk, worker="w1") is True
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.finished_at and CALLS == [{"n": 1}]
    assert jobs.run_job(job.pk, worker="w1") is False  # done jobs never run twice
    assert jobs.claim("w1") == []


def test_future_jobs_wait_for_their_time(db):
    job = jobs.enqueue("test.ok", run_at=clock.now() + timedelta(hours=1), n=2)
    assert jobs.claim("w1") == []
    assert jobs.claim("w1", now=clock.now() + timedelta(hours=2)) == [job.pk]


def test_failures_retry_with_backoff_then_fail(db):
    job = jobs.enqueue("test.boom", n=3)
    Job.objects.filter(pk=job.pk).update(max_attempts=2)
    start = clock.now()
    assert jobs.claim("w1") == [job.pk]
    assert jobs.run_job(job.pk, worker="w1") is False
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.attempts == 1 and "boom" in job.last_error
    assert job.run_at > start  # backed off
    assert not Job.objects.filter(name="test.side_effect").exists()  # its effects were rolled back
    assert jobs.claim("w1") == []  # not yet due
    later = job.run_at + timedelta(seconds=1)
    assert jobs.claim("w1", now=later) == [job.pk]
    jobs.run_job(job.pk, worker="w1")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.attempts == 2
    assert jobs.claim("w1", now=later + timedelta(days=1)) == []


def test_two_claimers_never_share_a_job(db):
    for i in range(10):
        jobs.enqueue("test.ok", i=i)
    first = jobs.claim("w1", limit=6)
    second = jobs.claim("w2", limit=6)
    assert len(first) == 6 and len(second) == 4 and not set(first) & set(second)
    assert jobs.claim("w3") == []


def test_a_stale_lock_is_claimed_again(db):
    job = jobs.enqueue("test.ok", n=4)
    assert jobs.claim("crashed") == [job.pk]
    assert jobs.claim("w2") == []  # still locked
    later = clock.now() + timedelta(seconds=jobs.LOCK_SECONDS + 1)
    assert jobs.claim("w2", now=later) == [job.pk]
    job.refresh_from_db()
    assert job.locked_by == "w2" and job.attempts == 2


def test_dedupe_key_makes_enqueue_idempotent(db):
    assert jobs.enqueue("test.ok", dedupe_key="k1", n=5) is not None
    assert jobs.enqueue("test.ok", dedupe_key="k1", n=5) is None
    assert Job.objects.filter(dedupe_key="k1").count() == 1


def test_unknown_job_names_are_refused(db):
    with pytest.raises(KeyError):
        jobs.enqueue("test.nope")


def test_concurrent_claimers_on_a_real_database(django_db_setup, django_db_blocker):
    # Real commits and threads, without a transactional test case (whose flush would also empty the
    # tables data migrations seeded); the jobs made here are deleted at the end.
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            pytest.skip("concurrent writers are exercised on PostgreSQL; SQLite serialises writers")
        made = [jobs.enqueue("test.ok", i=i).pk for i in range(40)]
        results: dict[str, list[int]] = {}
        barrier = threading.Barrier(4)

        def worker(name: str) -> None:
            try:
                barrier.wait()
                got: list[int] = []
                while True:
                    ids = jobs.claim(name, limit=3)
                    if not ids:
                        break
                    got += ids
                results[name] = got
            finally:
                connection.close()

        try:
            threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            claimed = [job_id for ids in results.values() for job_id in ids]
            assert sorted(claimed) == sorted(made)  # every job claimed exactly once
        finally:
            Job.objects.filter(pk__in=made).delete()


def test_run_once_runs_sweeps_and_due_jobs(db):
    jobs.enqueue("test.ok", n=6)
    results = jobs.run_once(worker="w1")
    assert results["jobs"] == 1 and results["test.sweep"] == 3


def test_sweep_command_with_a_pinned_now(db):
    jobs.enqueue("test.ok", run_at=datetime(2030, 1, 5, 8, 0, tzinfo=timezone.get_current_timezone()), n=7)
    out = StringIO()
    call_command("sweep", now="2030-01-05T09:00", stdout=out)
    text = out.getvalue()
    assert "sweep at 2030-01-05T09:00:00+08:00" in text
    assert "jobs: 1" in text and "test.sweep: 3" in text
    assert SEEN_NOW[-1].isoformat() == "2030-01-05T09:00:00+08:00"
    assert CALLS == [{"n": 7}]
    assert clock.now().year < 2030  # the pin is released afterwards


def test_sweep_rejects_a_bad_time(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("sweep", now="next tuesday")


def test_worker_loop_stops_on_request(db):
    stop = threading.Event()
    stop.set()
    jobs.run_worker(stop, poll=0.01)  # returns at once when asked to stop
