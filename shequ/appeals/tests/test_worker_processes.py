"""Real worker processes: one killed mid-batch (SIGKILL) and restarted loses nothing and does nothing
twice; two workers in parallel on PostgreSQL never process one step twice.

The processes run `python -m shequ.appeals.drill` against their own database (a copy of the run's
migrated template, `migrated_template` in shequ/conftest.py), so they are real, separate processes
sharing nothing but the database.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
N = 24


def _is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _env(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SHEQU_TEST_DB", "SHEQU_JOBS_INLINE")}
    env.update(
        DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT)
    )
    return env


def _run(url: str, *args: str, timeout: float = 120) -> str:
    out = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=_env(url),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


@pytest.fixture
def drill_url(migrated_template, tmp_path):
    """A database of its own for the drill processes (a copy of the run's migrated template, so the test
    database itself is not touched: no transactional flush, no blocking on the test connection's locks);
    rows the drill needs are made by its `setup` step."""
    url = migrated_template.copy("drill", tmp_path)
    yield url
    migrated_template.drop_copy(url)


def _start_worker(url: str, slow: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "shequ.appeals.drill", "worker", "--slow", str(slow)],
        cwd=ROOT,
        env=_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _read_until(proc: subprocess.Popen, *, count: int, timeout: float = 60) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("escalated "):
            lines.append(line.strip())
            if len(lines) >= count:
                break
    return lines


def _check(url: str) -> dict:
    return json.loads(_run(url, "shequ.appeals.drill", "check").strip().splitlines()[-1])


def test_worker_killed_mid_batch_loses_nothing_and_does_nothing_twice(drill_url):
    _run(drill_url, "shequ.appeals.drill", "setup", "--appeals", str(N))
    proc = _start_worker(drill_url, slow=0.25)
    try:
        done = _read_until(proc, count=5)
        assert len(done) == 5, "the worker did not start escalating"
        proc.send_signal(signal.SIGKILL)  # mid-batch: the next escalation is inside its transaction
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    after_kill = _check(drill_url)
    assert 5 <= after_kill["escalated_events"] < N
    assert after_kill["max_events_per_appeal"] == 1
    # restarted: one pass of `shequ sweep` finishes the batch
    out = _run(drill_url, "shequ.cli", "sweep")
    assert "appeals.escalate" in out
    final = _check(drill_url)
    assert final == {
        "appeals": N,
        "escalated_events": N,
        "max_events_per_appeal": 1,
        "levels": [1],
        "unescalated": [],
    }


def test_two_workers_in_parallel_never_double_process(drill_url):
    if not _is_postgres():
        pytest.skip(
            "parallel workers are tested on PostgreSQL (SQLite serialises writers; run the suite with "
            "DATABASE_URL=postgres://… to include this test)"
        )
    _run(drill_url, "shequ.appeals.drill", "setup", "--appeals", str(N))
    a = _start_worker(drill_url, slow=0.05)
    b = _start_worker(drill_url, slow=0.05)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _check(drill_url)["escalated_events"] < N:
            time.sleep(0.5)
    finally:
        for p in (a, b):
            p.send_signal(signal.SIGTERM)
        for p in (a, b):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    lines_a = [ln for ln in a.stdout.read().splitlines() if ln.startswith("escalated ")]
    lines_b = [ln for ln in b.stdout.read().splitlines() if ln.startswith("escalated ")]
    final = _check(drill_url)
    assert final["escalated_events"] == N and final["max_events_per_appeal"] == 1 and final["levels"] == [1]
    # every escalation was reported by exactly one worker
    ids = [ln.split()[1] for ln in lines_a + lines_b]
    assert len(ids) == len(set(ids)) == N
