"""Weight: the resident home and the report page under 50 KB on a cold load, static files compressed,
hashed and cached for a year — measured in real Chromium against the app as deployed (collected static
files served by WhiteNoise, not the test server's static handler)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.testcases import LiveServerThread
from django.urls import reverse

from shequ.conftest import needs_chromium, signed_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]

BUDGET = 50 * 1024


@pytest.fixture
def deployed(settings, tmp_path):
    """A server thread with collected static files, WhiteNoise in front (as `shequ serve` runs it)."""
    settings.STATIC_ROOT = str(tmp_path / "static")
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    shared = {}
    for conn in connections.all():
        if conn.vendor == "sqlite" and conn.is_in_memory_db():
            conn.inc_thread_sharing()
            shared[conn.alias] = conn
    thread = LiveServerThread("127.0.0.1", lambda handler: handler, connections_override=shared, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()


def _cold_load(browser, base: str, user, path: str) -> tuple[int, list[dict]]:
    ctx = signed_in_context(browser, SimpleNamespace(url=base), user, {"width": 390, "height": 844})
    page = ctx.new_page()
    responses = []
    page.on("response", lambda r: responses.append(r))
    page.goto(base + path, wait_until="load")
    page.wait_for_timeout(500)
    rows = []
    total = 0
    for r in responses:
        if "/stream" in r.url:  # the live-update event stream stays open; its bytes are the updates
            continue
        sizes = r.request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        total += size
        rows.append({"url": r.url, "size": size, "headers": r.all_headers()})
    ctx.close()
    return total, rows


def test_resident_pages_are_light_and_static_files_cached(deployed, world, browser):
    for name in ("portal:home", "appeals:report"):
        total, rows = _cold_load(browser, deployed, world.resident_a, reverse(name))
        assert total < BUDGET, (name, total, [(r["url"], r["size"]) for r in rows])
        static = [r for r in rows if "/static/" in r["url"]]
        assert static, name
        for r in static:
            assert r["headers"].get("content-encoding") in ("br", "gzip") or r["url"].endswith(".png"), r[
                "url"
            ]
            assert "immutable" in r["headers"].get("cache-control", ""), r["url"]
        htmx = [r for r in static if "/django_htmx/" in r["url"]]
        assert len(htmx) == 1, "htmx comes from the django-htmx package"
        print(name, total, "bytes", [(r["url"].rsplit("/", 1)[-1], r["size"]) for r in rows])  # noqa: T201 — shown with -s
