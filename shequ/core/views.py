from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST


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
