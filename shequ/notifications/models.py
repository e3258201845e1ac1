"""In-app notifications and the delivery outbox (e-mail, SMS, WeChat)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core import clock


class Notification(models.Model):
    """One message in one person's inbox. `key` makes a repeated notify() for one event a no-op."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True, default="")
    url = models.CharField(_("链接"), max_length=300, blank=True, default="")
    key = models.CharField(_("事件键"), max_length=200)
    created_at = models.DateTimeField(_("时间"), default=clock.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notif_unique_per_event")]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_inbox"),
            models.Index(fields=["recipient", "read_at"], name="notif_unread"),
        ]

    def __str__(self) -> str:
        return self.title
