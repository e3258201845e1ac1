"""Bearer-token authentication for /api/v1/ (sessions work too, with CSRF, for the web pages)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from shequ.accounts.models import ApiToken, User
from shequ.core import clock

TOKEN_DAYS = 30


def issue_token(*, user: User) -> str:
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, digest=ApiToken.digest_of(raw), expires_at=clock.now() + timedelta(days=TOKEN_DAYS)
    )
    return raw


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        row = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), expires_at__gt=clock.now(), user__is_active=True)
            .first()
        )
        if row is None:
            return None
        request.user = row.user
        return row.user


class SessionUserAuth(SessionAuth):
    """Session cookie (with CSRF check on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = super().authenticate(request, key)
        return user if user and user.is_authenticated else None


AUTH = [BearerAuth(), SessionUserAuth()]
