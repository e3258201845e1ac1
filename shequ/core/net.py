"""The client's real address, for the login lockout (django-axes) and the rate limits.

Only REMOTE_ADDR is known to be true. Behind reverse proxies (nginx, a load balancer) each proxy
appends the address it saw to X-Forwarded-For, so with TRUSTED_PROXIES = N the client is the N-th
entry from the right; whatever the client itself put further left is ignored. With N = 0 (no proxy)
the header is ignored entirely: a new value per request cannot dodge the lockout.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(text: str) -> str | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":")[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    remote = _address(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"
    proxies = getattr(settings, "SHEQU_TRUSTED_PROXIES", 0)
    if proxies <= 0:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote  # fewer hops than proxies: the request did not come through all of them
    return _address(hops[-proxies]) or remote


def axes_client_ip(request: HttpRequest) -> str:
    """AXES_CLIENT_IP_CALLABLE."""
    return client_ip(request)
