"""In-app notifications and the delivery outbox (e-mail, SMS, WeChat)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core import clock


class Notification(models.Model):
    """One message in one person's inbox. `key` makes a repeated notify() for one event a no-op."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # every index below leads with the recipient (a sweep writes 200,000 rows)
    )
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


class Channel(models.TextChoices):
    INAPP = "inapp", _("站内消息")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信")


EXTERNAL_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WECHAT)


class Preference(models.Model):
    """Whether one kind of message (`verb`, or "*" for every kind) reaches a user by one external channel.

    Only choices a user made are stored; without one the defaults of `shequ.notifications.verbs` apply.
    The in-app inbox always receives everything.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_prefs",
    )
    verb = models.CharField(_("消息类型"), max_length=40)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("接收"), default=True)

    class Meta:
        verbose_name = _("消息偏好")
        verbose_name_plural = _("消息偏好")
        constraints = [
            models.UniqueConstraint(fields=["user", "verb", "channel"], name="notif_pref_unique"),
        ]


class Delivery(models.Model):
    """The outbox: one row per notification and external channel, so one event is never sent twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("无法送达")

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("消息"),
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,  # `notif_delivery_once` (notification, channel) serves the lookups and cascades
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"), default=clock.now)

    class Meta:
        verbose_name = _("外发消息")
        verbose_name_plural = _("外发消息")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="notif_delivery_once"),
        ]
        # No (status, next_attempt_at) index: deliveries are claimed by id from their job, and with
        # one the planner AND-ed the ids with every row of a status (200,000 pending during a sweep),
        # and every status change had to update it.

    def __str__(self) -> str:
        return f"{self.channel} #{self.notification_id} ({self.status})"


class AreaWatch(models.Model):
    """A person's alerts for one building, compound or community: new appeals there, resolved ones,
    notices. Who may watch which place and who is told is `shequ.appeals.area_alerts` (one rule); the
    messages go through `notify_many`, so the person's channel choices (`Preference`) apply."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="area_watches",
    )
    place = models.ForeignKey(
        "directory.Place", verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+"
    )
    new_appeals = models.BooleanField(_("新诉求"), default=True)
    resolved = models.BooleanField(_("已办结的诉求"), default=True)
    notices = models.BooleanField(_("新公告"), default=True)
    created_at = models.DateTimeField(_("关注时间"), default=clock.now)

    class Meta:
        verbose_name = _("区域提醒")
        verbose_name_plural = _("区域提醒")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["user", "place"], name="notif_area_watch_once")]
        # The fan-out's lookup: watches of an appeal's or notice's place and its ancestors.
        indexes = [models.Index(fields=["place", "user"], name="notif_area_watch_place")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.place_id}"
