"""Bearer-token authentication for /api/v1/ (sessions work too, with CSRF, for the web pages).

Tokens are issued, renewed and revoked by shequ.accounts.tokens; this module only reads the header.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from shequ.accounts.models import User
from shequ.accounts.tokens import token_authenticate, token_issue
from shequ.core.errors import Forbidden


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
    """Session cookie (with CSRF check on unsafe methods).

    Nobody logged in: no session to check, so an anonymous write is 401 (log in), never a 403 about
    CSRF. Logged in without the CSRF token: 403 in Chinese and English.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            raise Forbidden(
                "页面已过期，请刷新后重试（安全校验未通过）。",
                "The page has expired; reload it and try again (CSRF check failed).",
                code="csrf_failed",
            )

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = super().authenticate(request, key)
        return user if user and user.is_authenticated else None


AUTH = [BearerAuth(), SessionUserAuth()]
