"""The floor: one Django view with one INSERT, and one with one indexed SELECT.

Served by the same server, settings and middleware as shequ, so a page's time divided by the floor's
is what shequ itself adds. The table is created by the benchmark (`ensure_table`), not by a migration.
"""

from __future__ import annotations

import json

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

TABLE = "bench_floor"


def ensure_table() -> None:
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, text text NOT NULL,"
            " created_at timestamptz NOT NULL)"
            if connection.vendor == "postgresql"
            else f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY AUTOINCREMENT,"
            " text text NOT NULL, created_at text NOT NULL)"
        )


@csrf_exempt
@require_POST
def write(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body or b"{}")
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {TABLE} (text, created_at) VALUES (%s, CURRENT_TIMESTAMP) RETURNING id",
            [str(body.get("text", ""))],
        )
        (pk,) = cur.fetchone()
    return JsonResponse({"id": pk}, status=201)


@require_GET
def read(request: HttpRequest, pk: int) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT id, number, status, created_at FROM appeals_appeal WHERE id = %s", [pk])
        row = cur.fetchone()
    if row is None:
        return JsonResponse({"error": "not found"}, status=404)
    return JsonResponse({"id": row[0], "number": row[1], "status": row[2], "created_at": str(row[3])})
