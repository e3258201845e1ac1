"""`shequ worker`: the background worker alone (sweeps and queued jobs) until SIGTERM or Ctrl-C."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from shequ.core.jobs import run_worker


class Command(BaseCommand):
    help = "运行后台任务（定时巡检与排队任务），收到 SIGTERM 或 Ctrl-C 后停止。 / Run the background worker."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between idle polls (default 1)")

    def handle(self, *args, **options) -> None:
        stop = threading.Event()

        def request_stop(signum, frame) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write("后台任务已启动 / worker started (Ctrl-C to stop)")
        self.stdout.flush()
        run_worker(stop, poll=options["poll"])
        self.stdout.write("后台任务已停止 / worker stopped")
