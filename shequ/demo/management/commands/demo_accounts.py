"""`shequ demo-accounts [--json]`: the demo logins, one for every role."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from shequ.demo.services import demo_accounts, demo_is_loaded


class Command(BaseCommand):
    help = (
        "列出示范账号（角色、手机号、密码、姓名、所属组织）。 / List the demo accounts "
        "(role, phone, password, name, party)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print a JSON list of objects")
        parser.add_argument(
            "--loaded-only",
            action="store_true",
            help="print nothing (an empty list) when the demo is not loaded in this database",
        )

    def handle(self, *args, **options) -> None:
        accounts = demo_accounts()
        if options["loaded_only"] and not demo_is_loaded():
            accounts = []
        if options["json"]:
            self.stdout.write(json.dumps(accounts, ensure_ascii=False, indent=2))
            return
        for a in accounts:
            party = a["party"] or "—"
            self.stdout.write(f"{a['phone']}  {a['password']}  {a['role_label']:<16} {a['name']:<6} {party}")
