"""`shequ demo [--reset]`: load the demo community."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from shequ.core.ratelimit import suspended
from shequ.demo.services import demo_load


class Command(BaseCommand):
    help = (
        "载入示范社区（海淀区中关村街道希格玛社区、曙光街道上河村社区等）；--reset 先清空整个数据库。"
        " / Load the demo community; --reset wipes the whole database first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--reset", action="store_true", help="wipe the database, then load the demo")
        parser.add_argument(
            "--no-content",
            action="store_true",
            help="only the community and its people, without sample appeals and notices",
        )

    def handle(self, *args, **options) -> None:
        with suspended():  # one operator loading sample data, not a resident filing fifty appeals
            summary = demo_load(reset=options["reset"], content=not options["no_content"])
        if not summary.loaded:
            self.stdout.write(
                "示范社区已载入，未做改动（用 --reset 重新载入）。 / The demo is already loaded "
                "(use --reset to load it afresh)."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"示范社区已载入 / demo loaded: {summary.places} places ({summary.households} households), "
                f"{summary.parties} parties, {summary.users} users in {summary.seconds} s."
            )
        )
        if summary.appeals or summary.notices:
            self.stdout.write(
                f"示范内容 / sample content: {summary.appeals} appeals, {summary.notices} notices."
            )
        if summary.history:
            self.stdout.write(f"一年的诉求历史 / a year of history: {summary.history} appeals.")
        if summary.content_error:
            self.stderr.write(f"示范诉求和公告未能载入 / sample content not loaded: {summary.content_error}")
        self.stdout.write("登录账号 / logins: shequ demo-accounts")
