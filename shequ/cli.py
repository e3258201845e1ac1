"""shequ 社区 — the `shequ` command.

Run the whole platform on this machine (SQLite in ./shequ.sqlite3 unless DATABASE_URL is set):

    shequ serve [--host H] [--port P] [--demo]
                                        migrate, load the demo community when the database has no
                                        places (in production, DEBUG=0, only with --demo), then run
                                        the web app (uvicorn, ASGI) and the background worker in one
                                        process; prints the URL and a few demo logins.
                                        Default http://127.0.0.1:8000/. Ctrl-C stops it.
    shequ demo [--reset] [--no-content] load the demo community (希格玛社区, 上河村社区 …) with a few
                                        sample appeals and notices; --reset wipes the database
                                        first and loads it afresh; --no-content skips the samples
    shequ demo-accounts [--json]        list the demo logins (role, phone, password, name, party)
    shequ worker                        run the background worker alone (sweeps and queued jobs);
                                        stops on Ctrl-C or SIGTERM
    shequ sweep [--now ISO-8601]        run one pass of every sweep and every due job and print
                                        counts; --now pretends it is that time (e.g. 2026-01-05T09:00)
    shequ import-places COMPOUND_ID FILE
                                        import buildings, units and households from .xlsx or .csv
                                        into a compound; nothing is written if any row is rejected
    shequ <django command> …            every Django management command: migrate, createsuperuser,
                                        changepassword, shell, dbshell, collectstatic, check …
    shequ django-help                   the full list of management commands

Environment: DATABASE_URL (sqlite:///path or postgres://user@host:port/name), SECRET_KEY,
DEBUG, ALLOWED_HOSTS, TRUSTED_PROXIES, REDIS_URL (optional). See config/settings.py and
docs/security.md. With none of them set, shequ runs as the local demo.
"""

from __future__ import annotations

import os
import sys

HELP = __doc__ or ""


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(HELP.strip())
        return
    if argv[0] == "django-help":
        argv = ["help"]
    elif not argv[0].startswith("-"):
        # `shequ demo-accounts` and `shequ import-places` name the commands demo_accounts / import_places.
        argv[0] = argv[0].replace("-", "_")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 — load the settings now: a refusal is one sentence, no traceback
    except ImproperlyConfigured as exc:
        print(f"shequ: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    execute_from_command_line(["shequ", *argv])


if __name__ == "__main__":
    main()
