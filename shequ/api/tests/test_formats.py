"""One datetime format across every app's API: ISO 8601 with the offset, in local time — the same
string whether the app's schema holds a `datetime` (rendered by the API's renderer), an appeal's
`LocalDateTime`, or an answer replayed by `Idempotency-Key`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from django.http import HttpRequest

from shequ.api.main import api
from shequ.core.http_idempotency import idempotent

LOCAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$")
WHEN = datetime(2026, 12, 2, 6, 30, tzinfo=UTC)


def test_the_renderer_writes_every_datetime_in_local_time_with_the_offset():
    body = api.renderer.render(HttpRequest(), {"at": WHEN, "nested": [{"at": WHEN}]}, response_status=200)
    data = json.loads(body)
    assert data["at"] == data["nested"][0]["at"] == "2026-12-02T14:30:00+08:00"


def test_an_answer_outside_the_renderer_has_the_same_format():
    response = idempotent(HttpRequest(), lambda: (200, {"at": WHEN}))
    assert json.loads(response.content)["at"] == "2026-12-02T14:30:00+08:00"


def test_an_app_schema_with_a_plain_datetime_answers_in_local_time(client, world):
    token = client.post(
        "/api/v1/auth/login",
        json.dumps({"phone": world.resident_a.phone, "password": "shequ-test-pass"}),
        content_type="application/json",
        REMOTE_ADDR="10.0.0.9",
    ).json()["token"]
    rows = client.get("/api/v1/me/logins", HTTP_AUTHORIZATION=f"Bearer {token}").json()["items"]
    assert rows and all(LOCAL.match(r["created_at"]) for r in rows), [r["created_at"] for r in rows]
