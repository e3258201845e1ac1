"""Bearer-token authentication for /api/v1/ (sessions work too, with CSRF, for the web pages).

Tokens are issued, renewed and revoked by shequ.accounts.tokens; this module only reads the header.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from shequ.accounts.models import User
from shequ.accounts.tokens import token_authenticate, token_issue


def issue_token(*, user: User, request: HttpRequest | None = None) -> str:
    return token_issue(user=user, request=request)


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        row = token_authenticate(raw=token)
        if row is None:
            return None
        request.user = row.user
        request.api_token = row  # type: ignore[attr-defined]  # the API logout ends this one
        return row.user


class SessionUserAuth(SessionAuth):
    """Session cookie (with CSRF check on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = super().authenticate(request, key)
        return user if user and user.is_authenticated else None


AUTH = [BearerAuth(), SessionUserAuth()]
