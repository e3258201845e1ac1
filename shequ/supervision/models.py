"""Supervision (叫得应): whistles and summonses (吹哨报到) and their report-in limits. The work order's
lifecycle (time limits, the working-day calendar, escalation, callbacks, helper companies) lives in
`shequ.appeals`; nothing here changes an appeal except through `shequ.appeals.services`."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.appeals.models import Unit
from shequ.core import clock


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

    appeal = models.ForeignKey(
        "appeals.Appeal", on_delete=models.CASCADE, related_name="whistles", verbose_name=_("诉求")
    )
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
