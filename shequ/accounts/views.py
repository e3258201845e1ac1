from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:
    """Shown by django-axes when a phone number has had too many failed logins."""
    return render(request, "accounts/lockout.html", status=429)
