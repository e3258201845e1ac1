"""Safe start (issue #9, finding 3): no public key, no debug pages, no demo in production,
one clear sentence for a missing or weak setting, `check --deploy` clean."""

import os
import secrets
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from shequ.core.tests.test_commands import _free_port, _wait_for

ROOT = Path(__file__).resolve().parents[3]
STRONG_KEY = secrets.token_urlsafe(50)
# the browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it
DROP = ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in DROP}
    base.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    base.update(PYTHONPATH=str(ROOT), STATIC_ROOT=str(tmp_path / "static"), **env)
    return subprocess.run(
        [sys.executable, "-m", "shequ.cli", *args],
        cwd=tmp_path,
        env=base,
        capture_output=True,
        text=True,
        timeout=300,
    )


SHOW = ["shell", "-v", "0", "-c", "from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY)"]


@pytest.mark.slow
def test_no_environment_generates_a_key_once_and_never_debugs(tmp_path):
    first = _run(tmp_path, *SHOW, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert first.returncode == 0, first.stderr
    debug, key = first.stdout.split()
    assert debug == "False"
    assert len(key) >= 50 and "insecure" not in key
    assert (tmp_path / "db.sqlite3.secret_key").read_text().strip() == key
    again = _run(tmp_path, *SHOW, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert again.stdout.split()[1] == key  # the same key after a restart: sessions survive
    other = tmp_path / "other"
    other.mkdir()
    elsewhere = _run(other, *SHOW, DATABASE_URL=f"sqlite:///{other / 'db.sqlite3'}")
    assert elsewhere.stdout.split()[1] != key  # every installation its own


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"DEBUG": "0"}, "SECRET_KEY"),
        ({"DEBUG": "0", "SECRET_KEY": "x", "ALLOWED_HOSTS": "a.example"}, "SECRET_KEY"),
        ({"SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "a.example"}, "SECRET_KEY"),  # 60 chars, 1 distinct
        ({"DEBUG": "0", "SECRET_KEY": STRONG_KEY}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_with_one_sentence(tmp_path, env, words):
    result = _run(tmp_path, "check", **env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and words in lines[0], result.stderr


@pytest.mark.slow
def test_check_deploy_is_clean_in_production(tmp_path):
    result = _run(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="shequ.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_production_serve_on_an_empty_database_creates_no_demo_account(tmp_path, migrated_template):
    """DEBUG=0 and an empty database (a copy of the run's migrated template, no rows of anyone's): serve
    (its migrate finds nothing to do; `shequ serve`'s first start from nothing is test_commands') — and no
    account at all (no published password)."""
    port = _free_port()
    database_url = migrated_template.copy("prodstart", tmp_path)
    try:
        _serve_in_production_and_count_users(tmp_path, port, database_url)
    finally:
        migrated_template.drop_copy(database_url)


def _serve_in_production_and_count_users(tmp_path: Path, port: int, database_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in DROP}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        TRUSTED_PROXIES="1",  # as behind nginx, which terminates TLS and says so in X-Forwarded-Proto
        STATIC_ROOT=str(tmp_path / "static"),
        PYTHONPATH=str(ROOT),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "shequ.cli", "serve", "--port", str(port), "--no-worker"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/accounts/login/"
        request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
        _wait_for(request, proc, timeout=180)
        with urllib.request.urlopen(request) as response:
            assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
            assert "Content-Security-Policy" in response.headers
            assert "Secure" in response.headers["Set-Cookie"]  # the CSRF cookie
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert "the demo is not loaded" in out
    count = subprocess.run(
        [
            sys.executable,
            "-m",
            "shequ.cli",
            "shell",
            "-v",
            "0",
            "-c",
            "from shequ.accounts.models import User; print(User.objects.count())",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert count.stdout.strip() == "0", count.stderr


def test_production_demo_password_is_not_the_published_one(settings):
    from shequ.demo import data
    from shequ.demo.services import demo_accounts, demo_password

    assert demo_password() == data.DEMO_PASSWORD  # the local demo keeps the README's password
    settings.SHEQU_DEMO_PASSWORD_PUBLIC = False
    settings.SECRET_KEY = STRONG_KEY
    secret = demo_password()
    assert secret != data.DEMO_PASSWORD and len(secret) >= 16
    assert {a["password"] for a in demo_accounts()} == {secret}
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    assert demo_password() != secret  # derived from this installation's key


@pytest.mark.django_db
def test_server_error_is_the_products_page(client, settings):
    settings.ROOT_URLCONF = "shequ.core.tests.urls_boom"
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "出错了" in text and "Something went wrong" in text and "Traceback" not in text


@pytest.mark.django_db
def test_not_found_is_the_products_chinese_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "没有找到这个页面" in response.content.decode()
