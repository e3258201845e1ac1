"""Coordination meetings (协调会): invitations, agenda linked to appeals, attendance, minutes,
decisions and action items tracked like appeals (due date, reminder, overdue, escalation).

Nothing here changes state: every write goes through `shequ.meetings.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core import clock
from shequ.core.models import TimelineEvent


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("待召开")
    HELD = "held", _("已召开")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class Meeting(models.Model):
    convener = models.ForeignKey(
        "directory.Party",
        verbose_name=_("召集单位"),
        on_delete=models.PROTECT,
        related_name="meetings_convened",
    )
    place = models.ForeignKey(
        "directory.Place",
        verbose_name=_("涉及地点"),
        on_delete=models.PROTECT,
        related_name="meetings",
        help_text=_("小区或社区；会议结果公示到这里的公告栏"),
    )
    topic = models.CharField(_("议题"), max_length=120)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    location = models.CharField(_("会议地点"), max_length=200, blank=True, default="")
    booking = models.ForeignKey(
        "activities.Booking",
        verbose_name=_("场地预约"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    minutes = models.TextField(_("会议纪要"), blank=True, default="")
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("记录人"),
    )
    minutes_at = models.DateTimeField(_("纪要时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    summary_notice = models.ForeignKey(
        "notices.Notice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("纪要公告"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(default=clock.now, verbose_name=_("创建时间"))

    class Meta:
        verbose_name = _("协调会")
        verbose_name_plural = _("协调会")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["convener", "-starts_at"], name="meet_convener_recent"),
            models.Index(fields=["place", "-starts_at"], name="meet_place_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meet_period_valid")
        ]

    def __str__(self) -> str:
        return self.topic


class MeetingEvent(TimelineEvent):
    """An immutable row per change of a meeting (created, invited, answered, started, minutes, closed …)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    party = models.ForeignKey(
        "directory.Party", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["meeting", "at"], name="meet_event_timeline")]


class Answer(models.TextChoices):
    PENDING = "pending", _("未答复")
    ATTEND = "attend", _("参加")
    DECLINE = "decline", _("不参加")
    DELEGATE = "delegate", _("委派他人")


class Invitation(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    party = models.ForeignKey("directory.Party", verbose_name=_("受邀单位"), on_delete=models.PROTECT)
    answer = models.CharField(_("答复"), max_length=10, choices=Answer.choices, default=Answer.PENDING)
    delegate_name = models.CharField(_("委派人"), max_length=50, blank=True, default="")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("邀请")
        verbose_name_plural = _("邀请")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "party"], name="meet_invite_once")]
        indexes = [models.Index(fields=["party", "meeting"], name="meet_invite_party")]


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    title = models.CharField(_("议程"), max_length=200)
    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name=_("相关诉求"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]
        indexes = [models.Index(fields=["appeal", "meeting"], name="meet_agenda_appeal")]


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    name = models.CharField(_("姓名"), max_length=50)
    party = models.ForeignKey(
        "directory.Party", verbose_name=_("代表单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    for_label = models.CharField(_("身份"), max_length=100, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "name", "party"], name="meet_attend_once")]


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("决定事项"))
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]


class ItemStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已撤销")


class ActionItem(models.Model):
    """A task a meeting gives to a party, tracked to done like an appeal."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("会议")
    )
    decision = models.ForeignKey(
        Decision,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
        verbose_name=_("会议决定"),
    )
    description = models.TextField(_("任务"))
    responsible_party = models.ForeignKey(
        "directory.Party", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="action_items"
    )
    due_at = models.DateTimeField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_note = models.TextField(_("完成情况"), blank=True, default="")
    reminded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("提醒时间"))
    overdue_at = models.DateTimeField(_("超期时间"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("升级层级"), default=0)
    escalated_to = models.ForeignKey(
        "directory.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_items_escalated",
        verbose_name=_("升级至"),
    )
    # When the sweeper next looks at this item: the reminder, the due time, then one rung per interval.
    next_check_at = models.DateTimeField(null=True, blank=True, verbose_name=_("下次检查时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(default=clock.now, verbose_name=_("创建时间"))

    class Meta:
        verbose_name = _("会议任务")
        verbose_name_plural = _("会议任务")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["next_check_at"], condition=Q(status="open"), name="meet_item_sweep_due"),
            models.Index(fields=["responsible_party", "status", "due_at"], name="meet_item_party_open"),
            models.Index(fields=["escalated_to", "status"], name="meet_item_escalated"),
        ]

    def __str__(self) -> str:
        return self.description[:40]


class ActionItemEvent(TimelineEvent):
    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="events")
    party = models.ForeignKey(
        "directory.Party", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True, default="")

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["item", "at"], name="meet_item_event_timeline")]
