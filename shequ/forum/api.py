"""REST: forum boards, topics, replies, likes, reports and moderation."""

from datetime import datetime, timedelta
from typing import Annotated

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from shequ.core import clock
from shequ.core.errors import Forbidden, NotFound
from shequ.core.masking import mask_name
from shequ.core.pagination import Page, paged
from shequ.forum import selectors, services

router = Router(tags=["forum"])


class BoardOut(Schema):
    id: int
    name: str
    place_id: int


class PostOut(Schema):
    id: int
    author: str
    body: str
    status: str
    like_count: int
    created_at: datetime

    @staticmethod
    def resolve_author(obj) -> str:
        return mask_name(obj.author.real_name)


class TopicOut(PostOut):
    board_id: int
    title: str
    reply_count: int
    last_activity_at: datetime
    is_pinned: bool


class ReplyOut(PostOut):
    topic_id: int


class TopicIn(Schema):
    title: str
    body: str


class ReplyIn(Schema):
    body: str


class ReasonIn(Schema):
    reason: str = ""


class ModerateIn(Schema):
    action: str
    reason: str


class BanIn(Schema):
    user_id: int
    reason: str
    days: Annotated[int, Field(ge=1, le=3650)] | None = None  # at most ten years


class LikeOut(Schema):
    liked: bool
    like_count: int


class ReportOut(Schema):
    report_count: int
    status: str


class StatusOut(Schema):
    id: int
    status: str
    status_reason: str


@router.get("/forum/boards", response=Page[BoardOut], summary="我的讨论版 / My boards")
@paged
def boards(request: HttpRequest):
    services.boards_ensure_for(user=request.user)
    return selectors.boards_for(user=request.user)


@router.get("/forum/boards/{board_id}/topics", response=Page[TopicOut], summary="话题列表 / Topics")
@paged
def topics(request: HttpRequest, board_id: int):
    board = selectors.access_board(user=request.user, board_id=board_id)
    return selectors.topics_for(user=request.user, board=board)


@router.post("/forum/boards/{board_id}/topics", response={201: TopicOut}, summary="发话题 / New topic")
def topic_create(request: HttpRequest, board_id: int, payload: TopicIn):
    board = selectors.access_board(user=request.user, board_id=board_id)
    return Status(
        201, services.topic_create(author=request.user, board=board, title=payload.title, body=payload.body)
    )


@router.get("/forum/topics/{topic_id}", response=TopicOut, summary="话题 / A topic")
def topic_detail(request: HttpRequest, topic_id: int):
    return selectors.access_topic(user=request.user, topic_id=topic_id)


@router.get("/forum/topics/{topic_id}/replies", response=Page[ReplyOut], summary="回复 / Replies")
@paged
def replies(request: HttpRequest, topic_id: int):
    topic = selectors.access_topic(user=request.user, topic_id=topic_id)
    return selectors.replies_for(user=request.user, topic=topic)


@router.post("/forum/topics/{topic_id}/replies", response={201: ReplyOut}, summary="回复 / Reply")
def reply_create(request: HttpRequest, topic_id: int, payload: ReplyIn):
    topic = selectors.access_topic(user=request.user, topic_id=topic_id)
    return Status(201, services.reply_create(author=request.user, topic=topic, body=payload.body))


def _target(request, kind: str, pk: int):
    if kind == "topics":
        return selectors.access_topic(user=request.user, topic_id=pk)
    if kind == "replies":
        return selectors.access_reply(user=request.user, reply_id=pk)
    raise NotFound("没有找到。", "Not found.")


@router.post("/forum/{kind}/{pk}/like", response=LikeOut, summary="点赞或取消 / Toggle like")
def like(request: HttpRequest, kind: str, pk: int):
    target = _target(request, kind, pk)
    liked = services.like_toggle(user=request.user, target=target)
    target.refresh_from_db(fields=["like_count"])
    return {"liked": liked, "like_count": target.like_count}


@router.post("/forum/{kind}/{pk}/report", response=ReportOut, summary="举报 / Report")
def report(request: HttpRequest, kind: str, pk: int, payload: ReasonIn):
    target = _target(request, kind, pk)
    count = services.report_create(user=request.user, target=target, reason=payload.reason)
    return {"report_count": count, "status": target.status}


@router.post("/forum/{kind}/{pk}/moderate", response=StatusOut, summary="隐藏或恢复 / Hide or restore")
def moderate(request: HttpRequest, kind: str, pk: int, payload: ModerateIn):
    target = _target(request, kind, pk)
    services.post_moderate(
        moderator=request.user, target=target, action=payload.action, reason=payload.reason
    )
    return target


@router.post("/forum/boards/{board_id}/bans", response={201: dict}, summary="禁言 / Block a user")
def ban(request: HttpRequest, board_id: int, payload: BanIn):
    board = selectors.access_board(user=request.user, board_id=board_id)
    if not selectors.is_moderator(user=request.user, board=board):  # before the lookup: no id probing
        raise Forbidden(
            "只有社区居委会的工作人员可以禁言。", "Only the residents' committee may block users."
        )
    user = get_user_model().objects.filter(pk=payload.user_id).first()
    if user is None:
        raise NotFound("用户不存在。", "User not found.")
    until = clock.now() + timedelta(days=payload.days) if payload.days else None
    b = services.user_ban(moderator=request.user, board=board, user=user, reason=payload.reason, until=until)
    return Status(201, {"id": b.pk, "user_id": user.pk, "until": b.until})


class MuteOut(Schema):
    muted: bool


@router.post(
    "/forum/users/{user_id}/mute", response=MuteOut, summary="屏蔽或取消屏蔽 / Toggle blocking a user"
)
def mute(request: HttpRequest, user_id: int):
    other = selectors.access_author(user=request.user, user_id=user_id)
    return {"muted": services.user_mute_toggle(user=request.user, other=other)}
