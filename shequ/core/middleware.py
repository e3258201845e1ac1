from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers


class PreferencesMiddleware:
    """Reads the display preferences (large type, high contrast) from a cookie onto the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.large_type = request.COOKIES.get("shequ_large") == "1"  # type: ignore[attr-defined]
        return self.get_response(request)


class ChineseFirstLocaleMiddleware:
    """Chinese unless the person chose English with the language switch (a cookie).

    The browser's Accept-Language is deliberately ignored: terminals in committee offices and many
    browsers ship with an English locale, and an elderly resident must never land on an English page
    they did not ask for. `/i18n/setlang/` (the 中文/EN button) sets the cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


PAGE_REFUSED_METHODS = frozenset({"PUT", "PATCH", "DELETE"})


class RequestHygieneMiddleware:
    """Refuses control characters, out-of-range numbers and over-deep JSON in any request
    (shequ.core.hygiene) before a view, a form or the database sees them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.http import HttpResponseNotAllowed

        from shequ.core import hygiene
        from shequ.core.errors import DomainError
        from shequ.core.views import error_response

        if request.method in PAGE_REFUSED_METHODS and not request.path.startswith("/api/"):
            # Pages are forms and links: GET and POST only (the API has its own methods per operation).
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        try:
            hygiene.check_path(request.path)
            hygiene.check_pairs((k, v) for k, values in request.GET.lists() for v in values)
            hygiene.check_text(request.META.get("HTTP_USER_AGENT", ""), field="User-Agent")
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                if request.content_type in FORM_TYPES:
                    hygiene.check_pairs((k, v) for k, values in request.POST.lists() for v in values)
                    hygiene.check_pairs(
                        (f.name or "", "") for _k, files in request.FILES.lists() for f in files
                    )
                else:
                    hygiene.check_json(request.body)
        except DomainError as exc:
            return error_response(request, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A domain refusal (a rate limit, a conflict) that a page did not handle is that refusal's page,
        in the person's language — never a 500."""
        from shequ.core.errors import DomainError
        from shequ.core.views import error_response

        if isinstance(exception, DomainError):
            return error_response(request, exception)
        return None
