"""The REST API under /api/v1/: every app contributes a router from its own `api.py`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.renderers import JSONRenderer

from shequ.accounts import api as accounts_api
from shequ.activities import api as activities_api
from shequ.analytics import api as analytics_api
from shequ.api.auth import AUTH
from shequ.appeals import api as appeals_api
from shequ.core.errors import DomainError, Forbidden, Invalid, NotFound, Unauthorized
from shequ.core.schemas import ERRORS, ApiJSONEncoder, ErrorOut
from shequ.decisions import api as decisions_api
from shequ.elections import api as elections_api
from shequ.forum import api as forum_api
from shequ.funds import api as funds_api
from shequ.meetings import api as meetings_api
from shequ.notices import api as notices_api
from shequ.notifications import api as notifications_api
from shequ.projects import api as projects_api
from shequ.stations import api as stations_api
from shequ.supervision import api as supervision_api


class _Renderer(JSONRenderer):
    encoder_class = ApiJSONEncoder


class ShequAPI(NinjaAPI):
    """The handlers below answer every operation's errors with the one error body (`ErrorOut`); the
    schema says so for every operation, not only for those that list `**ERRORS` themselves."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if "ErrorOut" not in components:
            body = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(body.pop("$defs", {}))
            components["ErrorOut"] = body
        error = {
            "description": "错误 / Error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        limited = {
            "description": "请求过于频繁 / Too many requests (rate_limited, locked_out)",
            "content": error["content"],
        }
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status in ERRORS:
                    if status not in responses and str(status) not in responses:
                        responses[status] = error
                # Any write may be rate-limited (core.ratelimit: one function the services call; the
                # login's lockout too): 429 with the same error body.
                if method.lower() in WRITES and 429 not in responses and "429" not in responses:
                    responses[429] = limited
        return schema


WRITES = frozenset({"post", "put", "patch", "delete"})


api = ShequAPI(
    title="shequ 社区 API",
    version="1",
    description="社区治理平台接口 / Community-governance API. Authenticate with `POST /api/v1/auth/login`, "
    "then send `Authorization: Bearer <token>`.",
    auth=AUTH,
    renderer=_Renderer(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, Unauthorized("请先登录。", "Authentication required."))


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields = {}
    for item in exc.errors:
        loc = ".".join(str(p) for p in item.get("loc", []) if p not in ("body", "payload", "query", "path"))
        fields[loc or "request"] = item.get("msg", "invalid")
    return _error(request, Invalid("请求内容有误，请检查后重试。", "The request is invalid.", fields=fields))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, NotFound("没有找到。", "Not found."))


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, Forbidden("没有权限。", "Permission denied."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja's own errors (unparsable body, …) are English only: give the Chinese too.
    err = DomainError("请求无法处理，请检查后重试。", str(exc), code="http_error")
    err.status = exc.status_code
    return _error(request, err)


# Every app's router, in the order the docs page lists them. A new app adds one import and one line
# here (docs/adding-a-feature.md); a missing module is an ImportError at startup, never a silent skip.
ROUTERS = (
    accounts_api.router,
    appeals_api.router,
    notices_api.router,
    forum_api.router,
    activities_api.router,
    notifications_api.router,
    supervision_api.router,
    analytics_api.router,
    decisions_api.router,
    elections_api.router,
    funds_api.router,
    meetings_api.router,
    stations_api.router,
    projects_api.router,
)
for _router in ROUTERS:
    api.add_router("", _router)
