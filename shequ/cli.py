"""The `shequ` command.

    shequ serve [--host H] [--port P]   migrate, load the demo if empty, run web + worker
    shequ demo [--reset]                load the demo community
    shequ demo-accounts --json          list the demo logins
    shequ worker                        run the background worker alone
    shequ sweep [--now ISO-8601]        run one pass of every sweep and due job
    shequ <django command> …            any Django management command (migrate, createsuperuser …)
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
        print("\nDjango commands: run `shequ django-help` for the full list.")
        return
    if argv[0] == "django-help":
        argv = ["help"]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shequ", *argv])


if __name__ == "__main__":
    main()
