"""The tables of the work-order lifecycle's time: the working-day calendar (节假日与调休), the
configurable time limits (办理时限规则) and the callback reminders (回访提醒). Imported by
`shequ.appeals.models`; read through `shequ.appeals.calendar` (cached) and written by the admin and
the callback sweep. They moved here from supervision; their tables kept their names (`db_table`).
"""

from __future__ import annotations

from django.db import models
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
        db_table = "supervision_calendarday"  # the table kept its name when the model moved here
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
        db_table = "supervision_deadlinepolicy"
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


class CallbackReminder(models.Model):
    """The one reminder to rate a resolved appeal, per resolution (a reopened and re-resolved appeal gets
    a new one). The unique row is the sweeper's claim: two workers never remind twice."""

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="+")
    resolved_at = models.DateTimeField()
    reminded_at = models.DateTimeField(default=clock.now)

    class Meta:
        db_table = "supervision_callbackreminder"
        verbose_name = _("回访提醒")
        verbose_name_plural = _("回访提醒")
        constraints = [models.UniqueConstraint(fields=["appeal", "resolved_at"], name="sup_callback_once")]
