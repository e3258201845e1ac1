"""Every URL of the site, fetched by an anonymous visitor, either is deliberately public or refuses.

Walks the whole URL configuration (admin excluded), fills path parameters with ids that exist in the
`world` fixture, and asserts the answer: a login redirect, 401/403/404/405 — or membership of the short
list of public pages below. A new view that forgets its login check fails here.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Pages anyone may open: login and registration, language switches, the public Atom feed, API schema/docs.
PUBLIC = {
    "accounts/login/",
    "accounts/register/",
    "accounts/register/chooser",
    "i18n/setlang/",
    "prefs/large-type",
    "api/v1/openapi.json",
    "api/v1/docs",
    "api/v1/categories",
    # the household chooser of self-registration (street → … → household names, no personal data)
    "accounts/register/places/",
    "api/v1/register/places",
}
PUBLIC_PREFIXES = ("notices/community/",)  # Atom feed of public notices per community


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _fill(route: str, some_id: int) -> str | None:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    if "(?P" in route or "\\" in route:
        return None  # regex routes (static, media) are not views of ours
    return "/" + re.sub(
        r"<(?:(\w+):)?(\w+)>", lambda m: "x" if m.group(1) in ("str", "slug") else str(some_id), route
    )


def _public(path: str) -> bool:
    bare = path.lstrip("/")
    return bare in PUBLIC or bare.startswith(PUBLIC_PREFIXES)


@pytest.mark.django_db
def test_anonymous_visitors_are_refused_everywhere_but_public_pages(client, world):
    routes = sorted(set(_patterns(get_resolver())))
    assert len(routes) > 60, "the walk found the site's URLs"
    leaks = []
    for route in routes:
        path = _fill(route, world.household_a.pk)
        if path is None or _public(path):
            continue
        response = client.get(path)
        refused = response.status_code in (401, 403, 404, 405) or (
            response.status_code == 302 and "/accounts/login/" in response["Location"]
        )
        if not refused:
            leaks.append((path, response.status_code))
    assert not leaks, f"anonymous visitors got through: {leaks}"
