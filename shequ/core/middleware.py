from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class PreferencesMiddleware:
    """Reads the display preferences (large type, high contrast) from a cookie onto the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.large_type = request.COOKIES.get("shequ_large") == "1"  # type: ignore[attr-defined]
        return self.get_response(request)
