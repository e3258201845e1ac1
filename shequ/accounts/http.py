"""The request type of pages behind `login_required` (django-stubs' recommended pattern): there the
user is a real `User`, never `AnonymousUser`."""

from __future__ import annotations

from django.http import HttpRequest

from shequ.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User


def api_user(request: HttpRequest) -> User:
    """The user of an API operation behind the router's auth (`shequ.api.auth`): ninja sets
    `request.auth` to what the authenticator returned, a `User`; HttpRequest does not declare it."""
    user = request.auth  # type: ignore[attr-defined]
    if not isinstance(user, User):  # an operation without auth asked for its user: a programming error
        raise TypeError("api_user() needs an authenticated API operation")
    return user
