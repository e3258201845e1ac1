"""社区服务: activities with sign-up, waitlist and check-in; venues with bookable slots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core import clock
from shequ.core.models import TimeStampedModel


class ActivityKind(models.TextChoices):
    CULTURE = "culture", _("文化活动")
    CHILD_CARE = "child_care", _("假期托管")
    ELDERLY_CARE = "elderly_care", _("居家养老")
    VOLUNTEER = "volunteer", _("志愿服务")


class Activity(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("报名中")
        CANCELLED = "cancelled", _("已取消")

    kind = models.CharField(_("类型"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("介绍"), blank=True, default="")
    place = models.ForeignKey(
        "directory.Place", verbose_name=_("面向范围"), on_delete=models.PROTECT, related_name="activities"
    )
    community = models.ForeignKey(
        "directory.Place", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    organiser = models.ForeignKey(
        "directory.Party", verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="activities"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField(_("地点"), max_length=100, blank=True, default="")
    venue = models.ForeignKey(
        "Venue",
        verbose_name=_("场地"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"))
    signup_closes_at = models.DateTimeField(_("报名截止"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    checkin_code = models.CharField(_("签到码"), max_length=8)
    confirmed_count = models.PositiveIntegerField(_("已报名人数"), default=0)
    waitlist_count = models.PositiveIntegerField(_("候补人数"), default=0)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["community", "starts_at"], name="act_activity_comm")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="act_activity_period"
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="act_activity_capacity"),
        ]

    def __str__(self) -> str:
        return self.title


class Signup(TimeStampedModel):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("已报名")
        WAITLISTED = "waitlisted", _("候补中")
        CANCELLED = "cancelled", _("已取消")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="activity_signups",
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    queued_at = models.DateTimeField(default=clock.now)
    note = models.CharField(_("备注"), max_length=200, blank=True, default="")
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["queued_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "user"], name="act_signup_once")]
        indexes = [models.Index(fields=["activity", "status", "queued_at"], name="act_signup_queue")]


class Venue(TimeStampedModel):
    name = models.CharField(_("名称"), max_length=100)
    place = models.ForeignKey(
        "directory.Place", verbose_name=_("所在地点"), on_delete=models.PROTECT, related_name="venues"
    )
    community = models.ForeignKey(
        "directory.Place", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    spot = models.ForeignKey(
        "directory.Spot",
        verbose_name=_("对应公共部位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner = models.ForeignKey(
        "directory.Party", verbose_name=_("管理单位"), on_delete=models.PROTECT, related_name="venues"
    )
    description = models.TextField(_("介绍"), blank=True, default="")
    capacity = models.PositiveIntegerField(_("容纳人数"), default=0)
    is_active = models.BooleanField(_("开放"), default=True)

    class Meta:
        verbose_name = _("场地")
        verbose_name_plural = _("场地")
        ordering = ["community_id", "name"]

    def __str__(self) -> str:
        return self.name


class VenueSlot(models.Model):
    venue = models.ForeignKey(Venue, verbose_name=_("场地"), on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))

    class Meta:
        verbose_name = _("时段")
        verbose_name_plural = _("时段")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "starts_at"], name="act_slot_unique"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="act_slot_period"),
        ]


ACTIVE_BOOKING = ("pending", "approved")


class Booking(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")
        CANCELLED = "cancelled", _("已取消")

    venue = models.ForeignKey(
        Venue, verbose_name=_("场地"), on_delete=models.CASCADE, related_name="bookings"
    )
    slot = models.ForeignKey(
        VenueSlot, verbose_name=_("时段"), on_delete=models.CASCADE, related_name="bookings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="venue_bookings",
    )
    purpose = models.CharField(_("用途"), max_length=200)
    people = models.PositiveIntegerField(_("人数"), default=1)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("场地预约")
        verbose_name_plural = _("场地预约")
        ordering = ["-created_at", "-id"]
        constraints = [
            # No double booking, enforced by the database: one pending-or-approved booking per slot.
            models.UniqueConstraint(
                fields=["venue", "slot"],
                condition=Q(status__in=ACTIVE_BOOKING),
                name="act_booking_one_active_per_slot",
            ),
        ]
        indexes = [models.Index(fields=["venue", "status"], name="act_booking_venue")]
