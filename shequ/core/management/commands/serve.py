"""`shequ serve`: everything in one process — migrate, demo when empty, web app and worker."""

from __future__ import annotations

import io
import json
import signal
import socket
import sys
import threading
import warnings

from django.apps import apps
from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from shequ.core.jobs import run_worker

# Roles shown first when `serve` prints a few demo logins.
SHOWCASE_ROLES = (
    "resident_owner",
    "property_handler",
    "env_committee_director",
    "rc_staff",
    "street_leader",
    "admin",
)


def bind_tcp_socket(host: str, port: int) -> socket.socket:
    """The listening socket the web processes share, created as IPPROTO_TCP.

    Not uvicorn's `Config.bind_socket()`: it leaves `proto` at 0, accepted sockets inherit it, and asyncio
    sets TCP_NODELAY only on sockets whose proto is IPPROTO_TCP. Without it Nagle holds a response's body
    (uvicorn writes the headers and the body separately) until the client's delayed ACK of the headers:
    ≈40 ms on every keep-alive request (measured: a two-message ASGI app 48 ms → 0.6 ms at p50;
    uvicorn issue Kludex/uvicorn#3149, open for 0.54).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CommandError(
            f"无法在 {host}:{port} 启动网站：{exc} / Could not serve on {host}:{port}: {exc}"
        ) from exc
    sock.set_inheritable(True)
    return sock


class Command(BaseCommand):
    help = (
        "迁移数据库、在空库中载入示范社区，并在同一进程中启动网站（uvicorn）和后台任务。"
        " / Migrate, load the demo when the database has no places, run the web app and the worker."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="listen port (default 8000)")
        parser.add_argument("--no-demo", action="store_true", help="do not load the demo community")
        parser.add_argument(
            "--demo",
            action="store_true",
            help="load the demo community into an empty database even in production (DEBUG=0)",
        )
        parser.add_argument("--no-worker", action="store_true", help="do not start the background worker")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="web processes (production: 2 per core; each holds at most DB_POOL_MAX connections)",
        )

    def handle(self, *args, **options) -> None:
        import uvicorn  # noqa: PLC0415 — only `serve` needs it

        # Show the welcome lines at once even when stdout is a pipe or a log file.
        for stream in (sys.stdout, sys.stderr):
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(line_buffering=True)
        host, port = options["host"], options["port"]
        verbosity = options["verbosity"]
        self.stdout.write("正在更新数据库结构… / Migrating the database…")
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        place_model = apps.get_model("directory", "Place")
        # The demo loads by itself only where it is a demo; in production only when asked for.
        wanted = options["demo"] or (not settings.SHEQU_PRODUCTION and not options["no_demo"])
        if wanted and "demo" in get_commands() and not place_model.objects.exists():
            self.stdout.write("数据库为空，正在载入示范社区… / Empty database: loading the demo community…")
            # By name, so core does not import the demo app (an import-linter contract checks this).
            call_command("demo", verbosity=verbosity)
        elif settings.SHEQU_PRODUCTION and not place_model.objects.exists():
            self.stdout.write(
                "生产模式：不载入示范社区（需要时用 --demo）。 / Production: the demo is not loaded (--demo to load it)."
            )
        # Hashed, compressed static files for every mode, the embedded demo too (docs/weight.md).
        call_command("collectstatic", interactive=False, verbosity=0)

        # WhiteNoise serves static files with a synchronous iterator; under ASGI Django warns about it.
        warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")
        stop = threading.Event()
        worker = None
        if not options["no_worker"]:
            worker = threading.Thread(target=run_worker, args=(stop,), name="shequ-worker", daemon=True)
            worker.start()

        self._print_welcome(host, port)
        config = uvicorn.Config(
            "config.asgi:application",
            host=host,
            port=port,
            lifespan="off",
            # The client address is REMOTE_ADDR, full stop; X-Forwarded-For is read by shequ.core.net
            # only as far as TRUSTED_PROXIES allows (uvicorn would otherwise trust it from localhost).
            proxy_headers=False,
            log_level="warning",
            access_log=verbosity > 1,
            workers=options["workers"],
        )
        if options["workers"] > 1:
            self._serve_processes(config, stop, worker)
            return
        server = uvicorn.Server(config)

        def request_stop(signum, frame) -> None:
            stop.set()
            server.should_exit = True

        # uvicorn handles SIGINT/SIGTERM while it runs and afterwards re-raises the signal to the handler
        # that was installed before it: ours, so the process ends through the `finally` below.
        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        try:
            # uvicorn installs its own SIGINT/SIGTERM handlers and returns after a graceful shutdown.
            server.run()
        finally:
            stop.set()
            if worker is not None:
                worker.join(timeout=10)
            self.stdout.write("shequ 已停止。 / shequ stopped.")
            self.stdout.flush()
        if not server.started and not server.should_exit:
            raise CommandError(f"无法在 {host}:{port} 启动网站。 / Could not serve on {host}:{port}.")

    def _serve_processes(self, config, stop: threading.Event, worker: threading.Thread | None) -> None:
        """N web processes (uvicorn's supervisor restarts any that die); the job worker stays here."""
        from uvicorn.supervisors import Multiprocess  # noqa: PLC0415

        sock = bind_tcp_socket(config.host, config.port)
        try:
            Multiprocess(config, sockets=[sock]).run()
        finally:
            stop.set()
            if worker is not None:
                worker.join(timeout=10)
            sock.close()
            self.stdout.write("shequ 已停止。 / shequ stopped.")
            self.stdout.flush()

    def _print_welcome(self, host: str, port: int) -> None:
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        if ":" in shown_host:
            shown_host = f"[{shown_host}]"
        url = f"http://{shown_host}:{port}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"shequ 社区 已启动 / is running: {url}"))
        self.stdout.write(f"管理后台 / admin: {url}admin/")
        accounts = self._demo_accounts()
        if accounts:
            self.stdout.write("示范账号 / demo logins (手机号 phone · 密码 password · 角色 role):")
            by_role = {a["role"]: a for a in reversed(accounts)}
            for role in SHOWCASE_ROLES:
                account = by_role.get(role)
                if account:
                    self.stdout.write(
                        f"  {account['phone']}  {account['password']}  {account.get('role_label', role)}"
                        f" {account['name']}"
                    )
            self.stdout.write("全部账号 / all accounts: shequ demo-accounts")
        self.stdout.write("按 Ctrl-C 停止 / press Ctrl-C to stop.")
        self.stdout.flush()

    def _demo_accounts(self) -> list[dict]:
        buffer = io.StringIO()
        try:
            call_command("demo_accounts", "--json", "--loaded-only", stdout=buffer)
            return json.loads(buffer.getvalue() or "[]")
        except (CommandError, ValueError):
            return []
