from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from shequ.notifications.models import Notification


def unread(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_count": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        )
    }
