from __future__ import annotations

from django.http import HttpRequest


def shequ(request: HttpRequest) -> dict:
    return {"large_type": getattr(request, "large_type", False)}
