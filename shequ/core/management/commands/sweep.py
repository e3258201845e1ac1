"""`shequ sweep [--now ISO-8601]`: one pass of every sweep and every due job, then print the counts."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shequ.core import clock
from shequ.core.jobs import run_once


class Command(BaseCommand):
    help = "执行一轮定时巡检和到期任务并输出数量。 / Run one pass of every sweep and due job; print counts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", help="pretend it is this time, ISO-8601 (e.g. 2026-01-05T09:00+08:00)")

    def handle(self, *args, **options) -> None:
        now = None
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError:
                raise CommandError(f"--now 不是 ISO-8601 时间 / --now is not ISO-8601: {options['now']}")
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
            clock.set_now(now)
        try:
            results = run_once(now=now)
        finally:
            if now is not None:
                clock.set_now(None)
        when = (now or clock.now()).isoformat(timespec="seconds")
        self.stdout.write(f"sweep at {when}")
        for name, count in sorted(results.items()):
            self.stdout.write(f"  {name}: {count}")
