"""Writes of the forum. Every post passes the sensitive-word filter and has phone/ID numbers masked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from shequ.accounts.selectors import user_roles
from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.core.masking import mask_text
from shequ.core.ratelimit import rate_limit
from shequ.directory.models import Place, PlaceKind
from shequ.forum.models import (
    Ban,
    Board,
    Like,
    ModerationLog,
    Mute,
    PostStatus,
    Reply,
    Report,
    SensitiveWord,
    Topic,
)
from shequ.forum.selectors import check_can_post, is_moderator
from shequ.notifications.services import notify

DEFAULT_AUTO_HIDE_REPORTS = 3


def auto_hide_threshold() -> int:
    return int(getattr(settings, "SHEQU_FORUM_AUTO_HIDE_REPORTS", DEFAULT_AUTO_HIDE_REPORTS))


@dataclass
class FilterResult:
    blocked: list[str]
    review: list[str]


def check_sensitive(text: str) -> FilterResult:
    """Which active sensitive words the text contains (case-insensitive)."""
    lowered = (text or "").lower()
    blocked: list[str] = []
    review: list[str] = []
    for word, action in SensitiveWord.objects.filter(is_active=True).values_list("word", "action"):
        if word and word.lower() in lowered:
            (blocked if action == SensitiveWord.Action.BLOCK else review).append(word)
    return FilterResult(blocked=blocked, review=review)


def _screen(text: str) -> str:
    """Raise if a blocking word appears; return the status the post starts in."""
    result = check_sensitive(text)
    if result.blocked:
        raise Invalid(
            "内容包含不允许发布的词语，请修改后再发。",
            "The text contains words that may not be posted.",
            code="sensitive_blocked",
            fields={"body": "、".join(result.blocked)},
        )
    return PostStatus.HELD if result.review else PostStatus.VISIBLE


def board_ensure(*, place: Place) -> Board:
    """The board of a compound or community (created on first use)."""
    if place.kind not in (PlaceKind.COMPOUND, PlaceKind.COMMUNITY):
        raise Invalid("讨论版只能建在小区或社区。", "Boards belong to a compound or a community.")
    board = Board.objects.filter(place=place).first()
    if board is not None:
        return board
    try:
        with transaction.atomic():
            return Board.objects.create(
                place=place,
                name=f"{place.name}邻里交流",
                community_id=place.community_id if place.community_id is not None else place.pk,
            )
    except IntegrityError:
        return Board.objects.get(place=place)


def boards_ensure_for(*, user) -> None:
    """Make sure the boards of the user's compounds and communities exist."""
    from shequ.accounts.selectors import user_roles  # noqa: PLC0415

    for r in user_roles(user=user).residencies:
        h = r.household
        for place_id in (h.compound_id, h.community_id):
            if place_id and not Board.objects.filter(place_id=place_id).exists():
                board_ensure(place=Place.objects.get(pk=place_id))


def topic_create(*, author, board: Board, title: str, body: str) -> Topic:
    check_can_post(user=author, board=board)
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise Invalid(
            "请填写标题和内容。",
            "Title and text are required.",
            fields={k: "必填" for k, v in (("title", title), ("body", body)) if not v},
        )
    if len(title) > 80:
        raise Invalid(
            "标题不能超过80个字。", "The title may not exceed 80 characters.", fields={"title": "太长"}
        )
    rate_limit("forum_post", account=author.pk, place=board.pk)
    status = _screen(f"{title}\n{body}")
    now = clock.now()
    with transaction.atomic():
        topic = Topic.objects.create(
            board=board,
            author=author,
            title=mask_text(title),
            body=mask_text(body),
            status=status,
            last_activity_at=now,
        )
        if status == PostStatus.HELD:
            ModerationLog.objects.create(
                action=ModerationLog.Action.HOLD, topic=topic, reason="含需审核的词语"
            )
    return topic


def reply_create(*, author, topic: Topic, body: str) -> Reply:
    check_can_post(user=author, board=topic.board)
    if topic.status != PostStatus.VISIBLE:
        raise Forbidden(
            "这个话题暂时不能回复。", "This topic cannot be replied to now.", code="topic_not_visible"
        )
    body = (body or "").strip()
    if not body:
        raise Invalid("请填写回复内容。", "The reply is empty.", fields={"body": "必填"})
    rate_limit("forum_post", account=author.pk, place=topic.board_id)
    status = _screen(body)
    now = clock.now()
    with transaction.atomic():
        reply = Reply.objects.create(topic=topic, author=author, body=mask_text(body), status=status)
        if status == PostStatus.VISIBLE:
            Topic.objects.filter(pk=topic.pk).update(reply_count=F("reply_count") + 1, last_activity_at=now)
            if topic.author_id != author.pk:
                notify(
                    recipients=[topic.author_id],
                    verb="forum_reply",
                    title=f"您的话题有新回复：{topic.title}",
                    body=reply.body[:100],
                    url=reverse("forum:topic", args=[topic.pk]),
                    key=f"forum:reply:{reply.pk}",
                )
        else:
            ModerationLog.objects.create(
                action=ModerationLog.Action.HOLD, reply=reply, reason="含需审核的词语"
            )
    return reply


def _target_model(target):
    return Topic if isinstance(target, Topic) else Reply


def _target_kwargs(target) -> dict:
    return (
        {"topic": target, "reply": None}
        if isinstance(target, Topic)
        else {"topic": target.topic, "reply": target}
    )


def like_toggle(*, user, target) -> bool:
    """Like or unlike a topic or reply. Returns True when it is now liked."""
    board = target.board if isinstance(target, Topic) else target.topic.board
    check_can_post(user=user, board=board)
    kwargs = _target_kwargs(target)
    model = _target_model(target)
    with transaction.atomic():
        existing = Like.objects.filter(user=user, **kwargs).first()
        if existing is not None:
            existing.delete()
            model.objects.filter(pk=target.pk).update(like_count=F("like_count") - 1)
            return False
        try:
            with transaction.atomic():
                Like.objects.create(user=user, **kwargs)
        except IntegrityError:
            return True
        model.objects.filter(pk=target.pk).update(like_count=F("like_count") + 1)
        return True


def report_create(*, user, target, reason: str = "") -> int:
    """Report a post; once it has N reports it is hidden automatically. Returns the report count."""
    if user_roles(user=user).is_observer:  # observers read and never write (access.may_write)
        raise Forbidden(
            "观察员只能查看，不能举报。", "Observers read only; they cannot report posts.", code="observer"
        )
    kwargs = _target_kwargs(target)
    model = _target_model(target)
    if target.author_id == user.pk:
        raise Invalid("不能举报自己的内容。", "You cannot report your own post.", code="own_post")
    with transaction.atomic():
        try:
            with transaction.atomic():
                Report.objects.create(user=user, reason=(reason or "")[:200], **kwargs)
        except IntegrityError:
            raise Conflict("您已经举报过了。", "You have already reported this.", code="already_reported")
        model.objects.filter(pk=target.pk).update(report_count=F("report_count") + 1)
        row = model.objects.select_for_update().get(pk=target.pk)
        if row.report_count >= auto_hide_threshold() and row.status == PostStatus.VISIBLE:
            row.status = PostStatus.HIDDEN
            row.status_reason = "举报较多，已自动隐藏，等待管理员处理"
            row.save(update_fields=["status", "status_reason", "updated_at"])
            _after_visibility_change(row, visible=False)
            ModerationLog.objects.create(
                action=ModerationLog.Action.AUTO_HIDE, reason=row.status_reason, **kwargs
            )
        target.report_count, target.status = row.report_count, row.status
        return row.report_count


def _after_visibility_change(target, *, visible: bool) -> None:
    if isinstance(target, Reply):
        delta = 1 if visible else -1
        Topic.objects.filter(pk=target.topic_id).update(reply_count=F("reply_count") + delta)


def _board_of(target) -> Board:
    return target.board if isinstance(target, Topic) else target.topic.board


def post_moderate(*, moderator, target, action: str, reason: str) -> None:
    """Hide or restore a topic or reply (restore also approves a post held for review)."""
    if not is_moderator(user=moderator, board=_board_of(target)):
        raise Forbidden(
            "只有社区居委会的工作人员可以管理讨论版。", "Only the residents' committee may moderate."
        )
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请填写原因。", "A reason is required.", fields={"reason": "必填"})
    if action not in ("hide", "restore"):
        raise Invalid("操作无效。", "Unknown action.", fields={"action": action})
    new = PostStatus.HIDDEN if action == "hide" else PostStatus.VISIBLE
    model = _target_model(target)
    with transaction.atomic():
        row = model.objects.select_for_update().get(pk=target.pk)
        if row.status == new:
            return
        was_visible = row.status == PostStatus.VISIBLE
        row.status = new
        row.status_reason = reason[:200]
        fields = ["status", "status_reason", "updated_at"]
        if action == "restore":
            row.report_count = 0
            fields.append("report_count")
        row.save(update_fields=fields)
        if was_visible != (new == PostStatus.VISIBLE):
            _after_visibility_change(row, visible=new == PostStatus.VISIBLE)
        ModerationLog.objects.create(
            actor=moderator, action=action, reason=reason[:200], **_target_kwargs(row)
        )
        url = reverse("forum:topic", args=[row.pk if isinstance(row, Topic) else row.topic_id])
        title = "您的帖子已被隐藏" if action == "hide" else "您的帖子已恢复显示"
        notify(
            recipients=[row.author_id],
            verb=f"forum_{action}",
            title=title,
            body=reason,
            url=url,
            key=f"forum:{action}:{model.__name__}:{row.pk}:{clock.now().timestamp()}",
        )
    target.status, target.status_reason = row.status, row.status_reason


def user_ban(*, moderator, board: Board, user, reason: str, until: datetime | None = None) -> Ban:
    if not is_moderator(user=moderator, board=board):
        raise Forbidden(
            "只有社区居委会的工作人员可以禁言。", "Only the residents' committee may block users."
        )
    if user.pk == moderator.pk:
        raise Invalid("不能禁言自己。", "You cannot block yourself.")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请填写原因。", "A reason is required.", fields={"reason": "必填"})
    with transaction.atomic():
        Ban.objects.filter(user=user, community_id=board.community_id, is_active=True).update(is_active=False)
        ban = Ban.objects.create(
            user=user, community_id=board.community_id, reason=reason[:200], banned_by=moderator, until=until
        )
        ModerationLog.objects.create(
            actor=moderator, action=ModerationLog.Action.BAN, target_user=user, reason=reason[:200]
        )
    return ban


def user_unban(*, moderator, board: Board, user, reason: str = "") -> int:
    if not is_moderator(user=moderator, board=board):
        raise Forbidden(
            "只有社区居委会的工作人员可以解除禁言。", "Only the residents' committee may unblock users."
        )
    with transaction.atomic():
        n = Ban.objects.filter(user=user, community_id=board.community_id, is_active=True).update(
            is_active=False
        )
        if n:
            ModerationLog.objects.create(
                actor=moderator,
                action=ModerationLog.Action.UNBAN,
                target_user=user,
                reason=(reason or "")[:200],
            )
    return n


def user_mute_toggle(*, user, other) -> bool:
    """Block or unblock another user's posts for oneself. Returns True when now blocked."""
    if other.pk == user.pk:
        raise Invalid("不能屏蔽自己。", "You cannot block yourself.")
    deleted, _ = Mute.objects.filter(user=user, muted=other).delete()
    if deleted:
        return False
    Mute.objects.get_or_create(user=user, muted=other)
    return True
