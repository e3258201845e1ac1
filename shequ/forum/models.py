"""邻里交流: a neighbours' forum, one board per compound and per community, with moderation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core import clock
from shequ.core.models import TimeStampedModel


class Board(TimeStampedModel):
    place = models.OneToOneField(
        "directory.Place", verbose_name=_("小区或社区"), on_delete=models.CASCADE, related_name="forum_board"
    )
    name = models.CharField(_("名称"), max_length=100)
    # Denormalised: the community whose residents' committee moderates this board.
    community = models.ForeignKey(
        "directory.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("社区")
    )
    is_active = models.BooleanField(_("开放"), default=True)

    class Meta:
        verbose_name = _("讨论版")
        verbose_name_plural = _("讨论版")
        ordering = ["community_id", "id"]

    def __str__(self) -> str:
        return self.name


class PostStatus(models.TextChoices):
    VISIBLE = "visible", _("正常")
    HELD = "held", _("待审核")
    HIDDEN = "hidden", _("已隐藏")


class Post(TimeStampedModel):
    """Shared fields of topics and replies."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=PostStatus.choices, default=PostStatus.VISIBLE
    )
    status_reason = models.CharField(_("处理原因"), max_length=200, blank=True, default="")
    like_count = models.PositiveIntegerField(default=0)
    report_count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class Topic(Post):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("标题"), max_length=80)
    reply_count = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(default=clock.now)
    is_pinned = models.BooleanField(_("置顶"), default=False)

    class Meta:
        verbose_name = _("话题")
        verbose_name_plural = _("话题")
        indexes = [models.Index(fields=["board", "status", "last_activity_at"], name="forum_topic_board")]

    def __str__(self) -> str:
        return self.title


class Reply(Post):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="replies")

    class Meta:
        verbose_name = _("回复")
        verbose_name_plural = _("回复")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["topic", "created_at"], name="forum_reply_topic")]


class Like(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="likes")
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "topic"], condition=Q(reply__isnull=True), name="forum_like_topic"
            ),
            models.UniqueConstraint(
                fields=["user", "reply"], condition=Q(reply__isnull=False), name="forum_like_reply"
            ),
        ]


class Report(models.Model):
    """A resident reports a post (举报). One report per person per post."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(_("举报原因"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("举报")
        verbose_name_plural = _("举报")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "topic"], condition=Q(reply__isnull=True), name="forum_report_topic"
            ),
            models.UniqueConstraint(
                fields=["user", "reply"], condition=Q(reply__isnull=False), name="forum_report_reply"
            ),
        ]


class SensitiveWord(TimeStampedModel):
    class Action(models.TextChoices):
        BLOCK = "block", _("禁止发布")
        REVIEW = "review", _("先审后发")

    word = models.CharField(_("敏感词"), max_length=50, unique=True)
    action = models.CharField(_("处理方式"), max_length=10, choices=Action.choices, default=Action.REVIEW)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("敏感词")
        verbose_name_plural = _("敏感词")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class ModerationLog(models.Model):
    class Action(models.TextChoices):
        HOLD = "hold", _("待审核")
        HIDE = "hide", _("隐藏")
        AUTO_HIDE = "auto_hide", _("举报过多自动隐藏")
        RESTORE = "restore", _("恢复")
        BAN = "ban", _("禁言")
        UNBAN = "unban", _("解除禁言")

    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    topic = models.ForeignKey(
        Topic,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="moderation",
        verbose_name=_("帖子"),
    )
    reply = models.ForeignKey(
        Reply,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="moderation",
        verbose_name=_("回复"),
    )
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("对象用户"),
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now, verbose_name=_("时间"))

    class Meta:
        verbose_name = _("管理记录")
        verbose_name_plural = _("管理记录")
        ordering = ["-created_at", "-id"]


class Ban(TimeStampedModel):
    """A moderator blocks a user from posting in a community's boards (禁言), until a time or for good."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    community = models.ForeignKey(
        "directory.Place", on_delete=models.CASCADE, related_name="+", verbose_name=_("社区")
    )
    reason = models.CharField(_("原因"), max_length=200)
    banned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    until = models.DateTimeField(_("截止"), null=True, blank=True)
    is_active = models.BooleanField(default=True, verbose_name=_("生效中"))

    class Meta:
        verbose_name = _("禁言")
        verbose_name_plural = _("禁言")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "community"], condition=Q(is_active=True), name="forum_ban_one_active"
            )
        ]


class Mute(models.Model):
    """A resident blocks (屏蔽) another user: that user's posts no longer show for them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    muted = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("屏蔽")
        verbose_name_plural = _("屏蔽")
        constraints = [models.UniqueConstraint(fields=["user", "muted"], name="forum_mute_once")]
