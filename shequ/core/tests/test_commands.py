"""The `shequ` command: help, `serve` in a real subprocess, `worker` stopping on SIGTERM."""

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from shequ import cli
from shequ.conftest import sqlite_template

ROOT = Path(__file__).resolve().parents[3]


def test_help_explains_every_command(capsys):
    cli.main(["--help"])
    text = capsys.readouterr().out
    for word in (
        "shequ serve",
        "--host",
        "--port",
        "shequ demo",
        "--reset",
        "demo-accounts [--json]",
        "shequ worker",
        "shequ sweep",
        "--now",
        "import-places",
        "migrate",
        "DATABASE_URL",
    ):
        assert word in text, word


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path) -> dict[str, str]:
    """No SECRET_KEY, no DEBUG: exactly what the README's two commands give (the embedded demo)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        PYTHONPATH=str(ROOT),
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    return env


def _shequ(*args: str) -> list[str]:
    return [sys.executable, "-m", "shequ.cli", *args]


def _wait_for(url: str | urllib.request.Request, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited early:\n{proc.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("serve did not answer in time")


@pytest.fixture(scope="module")
def served_dir(tmp_path_factory) -> Path:
    """One SQLite database for this module: `serve` migrates it, the worker test reuses it."""
    return tmp_path_factory.mktemp("serve")


@pytest.mark.slow
def test_serve_runs_the_demo_in_one_process(served_dir):
    tmp_path = served_dir
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        _shequ("serve", "--port", str(port)),
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # A first start migrates and loads the whole demo before it answers (under a minute on an idle
        # machine); the bound is generous because CI machines are shared.
        _wait_for(f"{base}/accounts/login/", proc, timeout=300)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{base}/accounts/login/") as response:
            assert response.status == 200
            page = response.read().decode()
        assert "登录" in page and 'lang="zh-hans"' in page
        # a demo account logs in with phone + password through the real server
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": "13800000001", "password": "shequ-demo-2026"}
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=form, headers={"Referer": base + "/"}
        )
        with opener.open(request) as response:
            assert response.status == 200
            assert "/accounts/login/" not in response.url  # redirected away from the login page
        with opener.open(f"{base}/static/shequ/app.css") as response:
            assert response.status == 200
        # never Django's debug page: the product's own 404, in Chinese
        with pytest.raises(urllib.error.HTTPError) as missing:
            opener.open(f"{base}/no-such-page/")
        assert missing.value.code == 404
        page = missing.value.read().decode()
        assert "没有找到这个页面" in page and "URLconf" not in page and "DEBUG = True" not in page
        assert "Content-Security-Policy" in missing.value.headers
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert proc.returncode == 0, out
    assert f"http://127.0.0.1:{port}/" in out
    assert "13800000001" in out and "shequ-demo-2026" in out  # a few demo logins are printed
    assert "shequ stopped" in out
    # the generated secret key is kept beside the database, for its owner's eyes only
    key_file = tmp_path / "serve.sqlite3.secret_key"
    assert len(key_file.read_text().strip()) >= 50
    assert key_file.stat().st_mode & 0o077 == 0


@pytest.mark.slow
def test_worker_stops_on_sigterm(served_dir, request):
    tmp_path = served_dir
    env = _env(tmp_path)
    database = tmp_path / "serve.sqlite3"
    if not database.exists():  # `serve` has not migrated it (run alone, or on another xdist worker)
        template = sqlite_template(request)
        if template is not None:
            shutil.copyfile(template, database)
        else:
            subprocess.run(_shequ("migrate", "-v", "0"), cwd=tmp_path, env=env, check=True, timeout=300)
    proc = subprocess.Popen(
        _shequ("worker", "--poll", "0.2"),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert "worker started" in proc.stdout.readline()
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    assert "worker stopped" in out
    result = subprocess.run(
        _shequ("sweep", "--now", "2030-01-05T09:00"),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "sweep at 2030-01-05T09:00:00+08:00" in result.stdout
    assert re.search(r"^  jobs: \d+$", result.stdout, re.M)  # the demo's queued notifications, if any
