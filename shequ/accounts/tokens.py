"""API tokens and web sessions: issue, authenticate with sliding renewal, list, end (issue #9, finding 6).

A token lives TOKEN_IDLE from its last use and never beyond TOKEN_MAX from its creation. Tokens end
on API logout, when the person ends them from "登录设备", on a password change (all but the one in
use) and on a password reset by the committee (all). Web sessions end the same way; Django already
ends the other web sessions when the password changes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import F
from django.http import HttpRequest

from shequ.accounts.models import ApiToken, User, UserSession
from shequ.core import clock
from shequ.core.errors import NotFound
from shequ.core.net import client_ip

TOKEN_IDLE = timedelta(hours=getattr(settings, "SHEQU_TOKEN_IDLE_HOURS", 72))
TOKEN_MAX = timedelta(days=getattr(settings, "SHEQU_TOKEN_MAX_DAYS", 30))
RENEW_EVERY = timedelta(minutes=10)  # write the renewal at most this often, not on every request


def _agent(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return (request.META.get("HTTP_USER_AGENT") or "")[:200]


def token_issue(*, user: User, request: HttpRequest | None = None) -> str:
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        digest=ApiToken.digest_of(raw),
        expires_at=clock.now() + TOKEN_IDLE,
        user_agent=_agent(request),
    )
    return raw


def token_authenticate(*, raw: str) -> ApiToken | None:
    """The live token for this bearer value, renewed for another TOKEN_IDLE (within TOKEN_MAX)."""
    now = clock.now()
    row = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(raw), expires_at__gt=now, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    if row.last_used_at is None or now - row.last_used_at >= RENEW_EVERY:
        expires = min(now + TOKEN_IDLE, row.created_at + TOKEN_MAX)
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now, expires_at=expires)
        row.last_used_at, row.expires_at = now, expires
    return row


def tokens_revoke(*, user: User, keep: ApiToken | None = None) -> int:
    qs = ApiToken.objects.filter(user=user)
    if keep is not None:
        qs = qs.exclude(pk=keep.pk)
    deleted, _ = qs.delete()
    return deleted


def token_revoke(*, user: User, token_id: int) -> None:
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise NotFound("没有这个登录令牌。", "No such token.")


# --- web sessions ------------------------------------------------------------------------------------


def session_record(*, user: User, request: HttpRequest) -> None:
    """Called when a person logs in on the web (the user_logged_in signal, see apps.py)."""
    key = request.session.session_key
    if not key:
        return
    UserSession.objects.update_or_create(
        session_key=key, defaults={"user": user, "user_agent": _agent(request), "ip": client_ip(request)}
    )


def session_forget(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def session_end(*, user: User, session_id: int) -> None:
    row = UserSession.objects.filter(user=user, pk=session_id).first()
    if row is None:
        raise NotFound("没有这个登录。", "No such session.")
    Session.objects.filter(session_key=row.session_key).delete()
    row.delete()


def sessions_end(*, user: User, keep_key: str | None = None) -> int:
    rows = UserSession.objects.filter(user=user)
    if keep_key:
        rows = rows.exclude(session_key=keep_key)
    keys = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    deleted, _ = rows.delete()
    return deleted


def logins_end_everywhere(
    *, user: User, keep_key: str | None = None, keep_token: ApiToken | None = None
) -> None:
    """Password changed or reset: every other web session and token ends."""
    sessions_end(user=user, keep_key=keep_key)
    tokens_revoke(user=user, keep=keep_token)


@dataclass(frozen=True)
class Login:
    kind: str  # "web" | "api"
    id: int
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    device: str
    current: bool


def logins_for(*, user: User, session_key: str | None = None, token: ApiToken | None = None) -> list[Login]:
    """Where this person is logged in: live web sessions and live tokens, newest first."""
    now = clock.now()
    rows = list(UserSession.objects.filter(user=user).order_by("-created_at")[:50])
    live = dict(
        Session.objects.filter(
            session_key__in=[r.session_key for r in rows], expire_date__gt=now
        ).values_list("session_key", "expire_date")
    )
    out = [
        Login(
            "web", r.pk, r.created_at, None, live[r.session_key], r.user_agent, r.session_key == session_key
        )
        for r in rows
        if r.session_key in live
    ]
    tokens = ApiToken.objects.filter(user=user, expires_at__gt=now).order_by(
        F("last_used_at").desc(nulls_last=True)
    )
    out += [
        Login(
            "api",
            t.pk,
            t.created_at,
            t.last_used_at,
            t.expires_at,
            t.user_agent,
            token is not None and t.pk == token.pk,
        )
        for t in tokens[:50]
    ]
    return out
