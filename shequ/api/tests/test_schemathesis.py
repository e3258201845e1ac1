"""The bounded schemathesis run against the OpenAPI schema (issue #9, "No 500s"): every operation, a
few generated cases each (seeded and derandomised, so every run tries the same requests), in-process
through WSGI on the test database, as a verified resident and as acting staff. A server error on any
case fails the test; the cases are listed with the operation that gave them."""

from __future__ import annotations

import time

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings

from shequ.accounts.tokens import token_issue

MAX_EXAMPLES = 3
# Endless or wall-clock operations a fuzzer cannot call usefully in-process: none today.
SKIP: frozenset[str] = frozenset()


def _run(schema, token: str) -> tuple[int, list[str]]:
    failures: list[str] = []
    calls = ok = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in SKIP:
            continue
        _one(operation, token, failures, counter := [0])
        calls += counter[0]
        ok += len(counter) - 1
    assert ok > 3, f"only {ok} of {calls} calls succeeded: is the token accepted?"
    return calls, failures


def _one(operation, token: str, failures: list[str], counter: list[int]) -> None:
    label = operation.label

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case):
        counter[0] += 1
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        if 200 <= response.status_code < 300:
            counter.append(response.status_code)
        if response.status_code >= 500:
            failures.append(f"{label}: {response.status_code} {case.path_parameters} {case.body!r:.200}")

    check()


@pytest.fixture
def _test_connection_kept():
    """Requests through the WSGI handler end with `close_old_connections`, which closes the connection of a
    test's open transaction (on PostgreSQL: "the connection is closed" at the next query). Django's own
    test client unhooks it for the same reason; so does this test, for its direct WSGI calls."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("_test_connection_kept")
@pytest.mark.parametrize("persona", ["resident_a", "rc_staff"])
def test_no_server_error_on_any_operation(world, persona):
    started = time.monotonic()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    token = token_issue(user=getattr(world, persona))
    calls, failures = _run(schema, token)
    assert calls > 100, "the run reached the operations"
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)
    assert time.monotonic() - started < 120
