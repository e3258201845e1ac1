"""The request type of pages behind `login_required` (django-stubs' recommended pattern): there the
user is a real `User`, never `AnonymousUser`."""

from __future__ import annotations

from django.http import HttpRequest

from shequ.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User
