from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from shequ.core.errors import DomainError, Forbidden, NotFound

R = TypeVar("R", bound=HttpResponseBase)


@require_POST
def toggle_large_type(request: HttpRequest) -> HttpResponse:
    """Switch the large-type mode (大字模式) on or off for this browser."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    enable = request.COOKIES.get("shequ_large") != "1"
    response.set_cookie("shequ_large", "1" if enable else "0", max_age=3600 * 24 * 365, samesite="Lax")
    return response


def error_text(exc: DomainError) -> str:
    """A domain error's message in the page's language."""
    return exc.message_en if (get_language() or "").startswith("en") else exc.message_zh


def domain_errors(view: Callable[..., R]) -> Callable[..., R]:
    """Turn NotFound/Forbidden raised by selectors and services into Django's 404/403 pages."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(error_text(exc))
        except Forbidden as exc:
            raise PermissionDenied(error_text(exc))

    return wrapper


def error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A refusal outside any view: JSON with message_zh and message_en for the API, a page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse(exc.as_dict(), status=exc.status, json_dumps_params={"ensure_ascii": False})
    status = 400 if exc.status == 422 else exc.status
    return render(request, "core/refused.html", {"message": error_text(exc)}, status=status)
