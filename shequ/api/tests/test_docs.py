"""The API's schema and docs page are served without any CDN (intranet deployments have no internet)."""

import re


def test_openapi_schema_and_docs_page_are_self_hosted(client, db):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/appeals" in paths and "/api/v1/auth/login" in paths
    page = client.get("/api/v1/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets, "the docs page loads its assets"
    assert not [a for a in assets if a.startswith(("http://", "https://", "//"))], assets


def test_every_operation_declares_the_one_error_body(client, db):
    """Every operation's 4xx answers carry the one error body under `error` (what the API's handlers
    return); an answer may add to it (the hotline import's 422 adds the row-by-row report). Every write
    also declares 429 (a rate limit or the login's lockout)."""
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            writes = ("429",) if method in ("post", "put", "patch", "delete") else ()  # rate limits, lockout
            for status in ("400", "401", "403", "404", "409", "422", *writes):
                answer = operation["responses"].get(status, {})
                ref = answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
                body = components.get(ref.rsplit("/", 1)[-1], {}) if ref else {}
                error = body.get("properties", {}).get("error", {}).get("$ref", "")
                if not error.endswith("/ErrorBody"):
                    missing.append(f"{method.upper()} {path} {status}")
    assert not missing, missing[:20]
    assert set(components["ErrorBody"]["properties"]) == {
        "code",
        "message",
        "message_zh",
        "message_en",
        "fields",
    }
