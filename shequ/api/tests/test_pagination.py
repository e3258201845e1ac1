"""One list envelope across every app's API, read from the OpenAPI schema itself: every GET operation
whose answer is a list answers `core.pagination.Page` (items, count, capped, next, prev, page,
page_size) and takes its paging parameters; bad paging is a 422 in Chinese and English."""

from __future__ import annotations

import pytest

from shequ.api.main import api
from shequ.core.pagination import MAX_LIMIT, Page, PageQuery

ENVELOPE = set(Page.model_fields)
PARAMS = set(PageQuery.model_fields)


def _schema() -> dict:
    return api.get_openapi_schema(path_prefix="/api/v1")


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].split("/")[-1]]
    return node


def _is_list(schema: dict, body: dict) -> bool:
    """A bare array, or an object carrying an array of rows (`items`, `results`, `rows`, …)."""
    if body.get("type") == "array":
        return True
    props = body.get("properties", {})
    return any(_resolve(schema, p).get("type") == "array" for p in props.values()) and bool(
        {"items", "results", "rows", "count", "next", "page", "limit", "offset"} & set(props)
    )


def _get_operations() -> list[tuple[str, dict]]:
    schema = _schema()
    ops = []
    for path, methods in schema["paths"].items():
        if "get" in methods:
            ops.append((path, methods["get"]))
    return ops


def _ok_body(schema: dict, operation: dict) -> dict | None:
    ok = operation["responses"].get(200) or operation["responses"].get("200")
    content = (ok or {}).get("content", {}).get("application/json")
    return _resolve(schema, content["schema"]) if content else None


def test_the_schema_has_list_operations() -> None:
    schema = _schema()
    lists = [p for p, op in _get_operations() if (b := _ok_body(schema, op)) and _is_list(schema, b)]
    assert "/api/v1/appeals" in lists and "/api/v1/categories" in lists and len(lists) >= 30


@pytest.mark.parametrize("path,operation", _get_operations(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_list_operation_answers_the_one_envelope(path: str, operation: dict) -> None:
    schema = _schema()
    body = _ok_body(schema, operation)
    if body is None or not _is_list(schema, body):
        return
    assert body.get("type") != "array", f"{path} answers a bare array"
    props = body["properties"]
    assert ENVELOPE <= set(props), f"{path} answers {sorted(props)}, not the envelope {sorted(ENVELOPE)}"
    assert _resolve(schema, props["items"]).get("type") == "array"
    envelope = Page.model_json_schema(ref_template="#/components/schemas/{model}")["properties"]
    for name in ENVELOPE - {"items"}:
        assert props[name] == envelope[name], f"{path}: `{name}` is not the envelope's"
    params = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
    assert PARAMS <= set(params), f"{path} takes {sorted(params)}, not the paging parameters"
    assert params["page_size"]["schema"]["maximum"] <= MAX_LIMIT


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,field",
    [
        ("page_size=0", "page_size"),
        (f"page_size={MAX_LIMIT + 1}", "page_size"),
        ("page=0", "page"),
        ("after=not-a-cursor", "after"),
        ("after=WzEsMl0&before=WzEsMl0", "before"),
    ],
)
def test_bad_paging_is_a_clear_422(client, query: str, field: str) -> None:
    resp = client.get(f"/api/v1/categories?{query}")
    assert resp.status_code == 422, resp.content
    error = resp.json()["error"]
    assert error["message_zh"] and error["message_en"] and error["message_zh"] != error["message_en"]
    assert field in error["fields"]


@pytest.mark.django_db
def test_a_short_list_walks_by_cursor(client) -> None:
    from shequ.appeals.models import Category

    Category.objects.bulk_create(Category(code=f"c{i}", name=f"分类{i}") for i in range(5))
    top = client.get("/api/v1/categories?page_size=1000").status_code
    assert top == 422
    seen, url = [], "/api/v1/categories?page_size=2"
    first = client.get(url).json()
    assert first["count"] >= 5 and first["prev"] is None and len(first["items"]) == 2
    body = first
    while True:
        seen += [c["code"] for c in body["items"]]
        if not body["next"]:
            break
        body = client.get(f"{url}&after={body['next']}").json()
        assert body["prev"]
    assert len(seen) == len(set(seen)) == first["count"]
    back = client.get(f"{url}&before={body['prev']}").json()
    assert back["next"] and back["items"]
