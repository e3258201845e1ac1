"""Notices (公告) scoped to a street, community, compound or building, in channels."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core import clock
from shequ.core.models import TimeStampedModel


class Channel(models.TextChoices):
    """The notice channels. Who may post in which channel is configured in `shequ.notices.channels`."""

    COMMUNITY = "community", _("社区公告")
    PARTY = "party", _("党建园地")
    PROPERTY = "property", _("物业之窗")
    OWNERS = "owners", _("业委连线")
    POLICE = "police", _("警民直通车")


class Notice(TimeStampedModel):
    channel = models.CharField(_("频道"), max_length=16, choices=Channel.choices)
    place = models.ForeignKey(
        "directory.Place", verbose_name=_("发布范围"), on_delete=models.PROTECT, related_name="notices"
    )
    # Denormalised from place (set by services) so a community's notices are one indexed filter.
    community = models.ForeignKey(
        "directory.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    street = models.ForeignKey(
        "directory.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey(
        "directory.Party", verbose_name=_("发布单位"), on_delete=models.PROTECT, related_name="notices"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notices")
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"))
    is_pinned = models.BooleanField(_("置顶"), default=False)
    is_public = models.BooleanField(
        _("公开"), default=True, help_text=_("不公开的公告只有本范围内已认证的居民和工作人员能看到")
    )
    publish_at = models.DateTimeField(_("发布时间"), default=clock.now)
    expires_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    is_withdrawn = models.BooleanField(_("已撤回"), default=False)
    read_count = models.PositiveIntegerField(_("阅读人数"), default=0)

    class Meta:
        verbose_name = _("公告")
        verbose_name_plural = _("公告")
        ordering = ["-is_pinned", "-publish_at", "-id"]
        indexes = [
            models.Index(fields=["place", "publish_at"], name="ntc_place_pub"),
            models.Index(fields=["community", "publish_at"], name="ntc_comm_pub"),
            models.Index(fields=["party", "publish_at"], name="ntc_party_pub"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=models.F("publish_at")),
                name="ntc_expiry_after_publish",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_live(self, now=None) -> bool:
        now = now or clock.now()
        return (
            not self.is_withdrawn
            and self.publish_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )


class NoticeAttachment(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("图片")
        PDF = "pdf", _("PDF文件")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="notices/%Y/%m/")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=60, default="application/octet-stream")

    class Meta:
        verbose_name = _("公告附件")
        verbose_name_plural = _("公告附件")
        ordering = ["id"]


class NoticeRead(models.Model):
    """Someone opened a notice (once per person); the household lets building leaders see who has not."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(
        "directory.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    read_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("阅读记录")
        verbose_name_plural = _("阅读记录")
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="ntc_read_once")]
        indexes = [models.Index(fields=["notice", "household"], name="ntc_read_household")]
