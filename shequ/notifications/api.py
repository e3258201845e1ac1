"""Inbox over the API: list, unread count, mark read."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from shequ.core.pagination import Page, PageQuery, api_page, paged
from shequ.notifications import selectors, services

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    verb: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class InboxOut(Page[NotificationOut]):
    """The one list envelope (`Page`) and, beside it, how many are unread."""

    unread: int


@router.get("/notifications", response=InboxOut, summary="我的消息 / My notifications")
def notifications_list(request: HttpRequest, paging: Query[PageQuery], unread: bool = False):
    page = api_page(selectors.inbox(user=request.user, unread_only=unread), paging)
    return {**page, "unread": selectors.unread_count(user=request.user)}


@router.post(
    "/notifications/{notification_id}/read", response=NotificationOut, summary="标为已读 / Mark read"
)
def notification_read(request: HttpRequest, notification_id: int):
    return services.notification_mark_read(user=request.user, notification_id=notification_id)


class CountOut(Schema):
    marked: int


@router.post("/notifications/read_all", response=CountOut, summary="全部已读 / Mark all read")
def notifications_read_all(request: HttpRequest):
    return {"marked": services.notifications_mark_all_read(user=request.user)}


class PreferenceOut(Schema):
    verb: str
    label: str
    email: bool
    sms: bool
    wechat: bool


class PreferenceIn(Schema):
    verb: str
    email: bool | None = None
    sms: bool | None = None
    wechat: bool | None = None


def _preferences(user) -> list[dict]:
    out = []
    for row in selectors.preference_matrix(user=user):
        item: dict[str, str | bool] = {"verb": row.verb, "label": row.label}
        item.update({channel: on for channel, _label, on in row.channels})
        out.append(item)
    return out


@router.get(
    "/notifications/preferences",
    response=Page[PreferenceOut],
    summary="消息偏好 / Which messages reach me by e-mail, SMS, WeChat",
)
@paged
def preferences_get(request: HttpRequest):
    return _preferences(request.user)


@router.put(
    "/notifications/preferences",
    response=list[PreferenceOut],
    summary="修改消息偏好 / Change my message preferences",
)
def preferences_put(request: HttpRequest, payload: list[PreferenceIn]):
    choices = {}
    for item in payload:
        for channel in ("email", "sms", "wechat"):
            value = getattr(item, channel)
            if value is not None:
                choices[(item.verb, channel)] = value
    services.preferences_set(user=request.user, choices=choices)
    return _preferences(request.user)
