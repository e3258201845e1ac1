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
