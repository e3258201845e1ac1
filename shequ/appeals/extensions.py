"""Extension points of the appeal pages: how an app that stands on appeals (supervision, meetings,
decisions, analytics …) shows something on them without appeals importing it.

* **Appeal blocks** — a fragment on an appeal's page ("discussed at meeting X", the whistle board).
  The app registers a URL name that takes the appeal id; the page loads it with htmx, so the block
  is the app's own view with its own permission check.
* **Workbench links** — a link in the staff workbench's header (escalations, summonses, league).

Register in the app's `AppConfig.ready()`:

    from shequ.appeals.extensions import register_appeal_block
    register_appeal_block(name="meetings", url_name="meetings:appeal_block", order=30)

Registration fails loudly: a second registration of a name is an `ImproperlyConfigured` error at
startup, and `manage.py check` (run by the test suite and `shequ serve`) reports a URL name that
does not resolve (`shequ.E001`). Nothing is skipped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse

from shequ.appeals.models import Appeal


def _always(appeal: Appeal) -> bool:
    return True


@dataclass(frozen=True)
class AppealBlock:
    name: str
    url_name: str  # takes one argument: the appeal id
    order: int = 100
    # Whether the block belongs on this appeal at all (the viewer's permission is the block view's).
    applies: Callable[[Appeal], bool] = _always

    def url(self, appeal: Appeal) -> str:
        return reverse(self.url_name, args=[appeal.pk])


@dataclass(frozen=True)
class WorkbenchLink:
    name: str
    url_name: str  # takes no argument
    label: Any  # a lazy translation
    order: int = 100

    def url(self) -> str:
        return reverse(self.url_name)


_blocks: dict[str, AppealBlock] = {}
_links: dict[str, WorkbenchLink] = {}


def register_appeal_block(
    *, name: str, url_name: str, order: int = 100, applies: Callable[[Appeal], bool] = _always
) -> None:
    if name in _blocks:
        raise ImproperlyConfigured(f"appeal block {name!r} is registered twice")
    _blocks[name] = AppealBlock(name=name, url_name=url_name, order=order, applies=applies)


def register_workbench_link(*, name: str, url_name: str, label: Any, order: int = 100) -> None:
    if name in _links:
        raise ImproperlyConfigured(f"workbench link {name!r} is registered twice")
    _links[name] = WorkbenchLink(name=name, url_name=url_name, label=label, order=order)


def appeal_blocks(appeal: Appeal) -> list[tuple[str, str]]:
    """(name, url) of every block that applies to this appeal, in order."""
    blocks = sorted(_blocks.values(), key=lambda b: (b.order, b.name))
    return [(b.name, b.url(appeal)) for b in blocks if b.applies(appeal)]


def workbench_links() -> list[tuple[str, Any, str]]:
    """(name, label, url) of every workbench link, in order."""
    return [
        (link.name, link.label, link.url())
        for link in sorted(_links.values(), key=lambda x: (x.order, x.name))
    ]


@checks.register()
def check_extensions(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for block in _blocks.values():
        try:
            reverse(block.url_name, args=[1])
        except NoReverseMatch:
            errors.append(
                checks.Error(
                    f"appeal block {block.name!r}: URL name {block.url_name!r} does not resolve with an appeal id",
                    id="shequ.E001",
                )
            )
    for link in _links.values():
        try:
            reverse(link.url_name)
        except NoReverseMatch:
            errors.append(
                checks.Error(
                    f"workbench link {link.name!r}: URL name {link.url_name!r} does not resolve",
                    id="shequ.E001",
                )
            )
    return errors
