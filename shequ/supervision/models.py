"""Supervision (叫得应): time-limit policies, the working-day calendar, whistles and summonses,
callback reminders. Appeals themselves live in `shequ.appeals`; nothing here changes their status
except through `shequ.appeals.services`."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core import clock


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a public holiday (rest day) or a make-up workday (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=30, blank=True, default="")

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class Unit(models.TextChoices):
    MINUTES = "minutes", _("分钟")
    HOURS = "hours", _("小时")
    DAYS = "days", _("自然日")
    WORKING_DAYS = "working_days", _("工作日")


URGENCY_CHOICES = [("normal", _("一般")), ("urgent", _("紧急")), ("emergency", _("危及生命财产"))]
TIME_CLASS_CHOICES = [
    ("utility", _("水电气暖及电梯")),
    ("general", _("一般事项")),
    ("complex", _("复杂事项")),
]


class DeadlinePolicy(models.Model):
    """Accept and resolve limits for appeals. The most specific active row wins:
    a category match counts most, then urgency, then time class; blank fields match anything."""

    category = models.ForeignKey(
        "appeals.Category",
        verbose_name=_("分类"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("留空表示所有分类"),
    )
    time_class = models.CharField(
        _("时限类别"), max_length=10, choices=TIME_CLASS_CHOICES, blank=True, default=""
    )
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=URGENCY_CHOICES, blank=True, default="")
    accept_limit = models.PositiveIntegerField(
        _("签收时限"), null=True, blank=True, help_text=_("留空表示沿用更一般的规则")
    )
    accept_unit = models.CharField(_("签收时限单位"), max_length=14, choices=Unit.choices, default=Unit.HOURS)
    resolve_limit = models.PositiveIntegerField(
        _("办结时限"), null=True, blank=True, help_text=_("留空表示沿用更一般的规则")
    )
    resolve_unit = models.CharField(
        _("办结时限单位"), max_length=14, choices=Unit.choices, default=Unit.HOURS
    )
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("办理时限规则")
        verbose_name_plural = _("办理时限规则")
        ordering = ["category_id", "urgency", "time_class", "id"]

    def __str__(self) -> str:
        scope = " · ".join(
            str(x)
            for x in (
                self.category,
                self.get_urgency_display() if self.urgency else "",
                self.get_time_class_display() if self.time_class else "",
            )
            if x
        )
        return scope or str(_("默认"))

    @property
    def specificity(self) -> int:
        return (4 if self.category_id else 0) + (2 if self.urgency else 0) + (1 if self.time_class else 0)


class WhistleKind(models.TextChoices):
    ROUTINE = "routine", _("常规吹哨")
    TOUGH = "tough", _("疑难吹哨")
    EMERGENCY = "emergency", _("应急吹哨")


class WhistleLimit(models.Model):
    """How soon a summoned department must report in (报到) for each kind of whistle."""

    kind = models.CharField(_("吹哨类型"), max_length=10, choices=WhistleKind.choices, unique=True)
    limit = models.PositiveIntegerField(_("报到时限"))
    unit = models.CharField(_("单位"), max_length=14, choices=Unit.choices)

    class Meta:
        verbose_name = _("报到时限")
        verbose_name_plural = _("报到时限")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.limit} {self.get_unit_display()}"


class Whistle(models.Model):
    """社区吹哨: the community summons departments to an appeal. Open until the appeal is resolved."""

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="whistles")
    kind = models.CharField(_("类型"), max_length=10, choices=WhistleKind.choices)
    party = models.ForeignKey(
        "directory.Party", verbose_name=_("吹哨主体"), on_delete=models.PROTECT, related_name="whistles_blown"
    )
    blown_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吹哨人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("事由"))
    blown_at = models.DateTimeField(_("吹哨时间"), default=clock.now)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("吹哨")
        verbose_name_plural = _("吹哨")
        ordering = ["-blown_at", "-id"]
        indexes = [
            models.Index(fields=["appeal", "-blown_at"], name="sup_whistle_appeal"),
            models.Index(fields=["closed_at"], name="sup_whistle_open", condition=Q(closed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.appeal_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Summons(models.Model):
    """One department summoned by a whistle: must report in by `due_at`, act, and report back."""

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="summonses")
    department = models.ForeignKey(
        "directory.Party", verbose_name=_("被召集部门"), on_delete=models.PROTECT, related_name="summonses"
    )
    due_at = models.DateTimeField(_("报到时限"))
    reported_in_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    reported_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acted = models.TextField(_("处置情况"), blank=True, default="")
    reported_back_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    reported_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overdue_notified_at = models.DateTimeField(_("超时提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("部门报到")
        verbose_name_plural = _("部门报到")
        ordering = ["whistle_id", "id"]
        constraints = [models.UniqueConstraint(fields=["whistle", "department"], name="sup_summons_once")]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="sup_summons_due",
                condition=Q(reported_in_at__isnull=True, overdue_notified_at__isnull=True),
            ),
            models.Index(fields=["department", "reported_in_at"], name="sup_summons_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.department} → {self.whistle}"

    @property
    def response_time(self) -> timedelta | None:
        if self.reported_in_at is None:
            return None
        return self.reported_in_at - self.whistle.blown_at

    @property
    def on_time(self) -> bool | None:
        if self.reported_in_at is None:
            return None
        return self.reported_in_at <= self.due_at


class CallbackReminder(models.Model):
    """The one reminder to rate a resolved appeal, per resolution (a reopened and re-resolved appeal gets
    a new one). The unique row is the sweeper's claim: two workers never remind twice."""

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="+")
    resolved_at = models.DateTimeField()
    reminded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("回访提醒")
        verbose_name_plural = _("回访提醒")
        constraints = [models.UniqueConstraint(fields=["appeal", "resolved_at"], name="sup_callback_once")]
