"""The bounded schemathesis run against the OpenAPI schema (issue #9, "No 500s"): every operation, a
few generated cases each (seeded and derandomised, so every run tries the same requests), in-process
through WSGI on the test database, as a verified resident and as acting staff. Each answer is checked
by schemathesis's `not_a_server_error`, `status_code_conformance` and `content_type_conformance`: no
server error, and every status code and content type declared for its operation (the schema declares
the one error body for 400/401/403/404/409/422 everywhere and 429 on writes, `shequ.api.main`). Any
failing case fails the test and is listed with its operation. The run is bounded by its number of
cases; measured 21–34 s a persona on SQLite and 67 s (the resident) on PostgreSQL, on the shared 2-core
machine at load 9."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from shequ.accounts.tokens import token_issue

MAX_EXAMPLES = 3
# No server error, and every answer's status code and content type documented for its operation.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]
# Endless or wall-clock operations a fuzzer cannot call usefully in-process: none today.
SKIP: frozenset[str] = frozenset()


def _run(schema, token: str) -> tuple[int, list[str]]:
    failures: list[str] = []
    calls = ok = operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in SKIP:
            continue
        operations += 1
        _one(operation, token, failures, counter := [0])
        calls += counter[0]
        ok += len(counter) - 1
    assert ok > 3, f"only {ok} of {calls} calls succeeded: is the token accepted?"
    # Bounded by the number of cases, not by the wall clock (a shared machine's load would make a time
    # bound flaky): at most MAX_EXAMPLES generated cases an operation, plus its schema examples, if any.
    assert calls <= (MAX_EXAMPLES + 1) * operations, (calls, operations)
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
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                failures.append(
                    f"{label}: {response.status_code} {response.headers.get('content-type')} "
                    f"{type(failure).__name__} {case.path_parameters} {case.query} {case.body!r:.200}"
                )

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
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    token = token_issue(user=getattr(world, persona))
    calls, failures = _run(schema, token)
    assert calls > 100, "the run reached the operations"
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.usefixtures("_test_connection_kept")
def test_the_checks_fail_on_an_undocumented_status_or_content_type(world):
    """The run's checks are not vacuous: the same answer of `GET /me` passes, and fails once its status
    code or its content type is one the schema does not declare."""
    from schemathesis.core.transport import Response
    from schemathesis.openapi.checks import UndefinedContentType, UndefinedStatusCode

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    case = schema["/api/v1/me"]["GET"].Case()
    real = case.call(headers={"Authorization": f"Bearer {token_issue(user=world.resident_a)}"})
    assert real.status_code == 200
    case.validate_response(real, checks=CHECKS)

    def answer(status: int, content_type: str) -> Response:
        return Response(
            status_code=status,
            headers={"content-type": [content_type]},
            content=real.content,
            request=real.request,
            elapsed=0.0,
            verify=True,
        )

    for fake, failure in (
        (answer(418, "application/json"), UndefinedStatusCode),
        (answer(200, "text/html; charset=utf-8"), UndefinedContentType),
    ):
        with pytest.raises(FailureGroup) as caught:
            case.validate_response(fake, checks=CHECKS)
        assert any(isinstance(f, failure) for f in caught.value.exceptions)
