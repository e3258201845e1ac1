from __future__ import annotations

from django.http import HttpRequest


def shequ(request: HttpRequest) -> dict:
    """Display preferences, plus the user's roles when the view already loaded them.

    `my_roles` is the `shequ.accounts.selectors.Roles` the view computed with `user_roles()` (cached on
    the user), or None. It costs no query: base.html uses it for the observer notice and the staff
    workbench link, so any view that checks roles gets both for free.
    """
    user = getattr(request, "user", None)
    roles = getattr(user, "_shequ_roles", None) if user is not None else None
    return {"large_type": getattr(request, "large_type", False), "my_roles": roles}
