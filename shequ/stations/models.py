"""Mutual-aid stations (互助站): volunteers, the micro-needs they take (appeals routed to the station),
service hours, training courses, and party branches with their members (红色领航).

A station is a `directory.Party` of kind `mutual_aid_station`; a micro-need is an `appeals.Appeal`
whose responsible party is the station. Every write goes through `shequ.stations.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core import clock


class Skill(models.TextChoices):
    REPAIR = "repair", _("设施维修")
    MEDIATION = "mediation", _("矛盾调解")
    PATROL = "patrol", _("平安维护")
    ENVIRONMENT = "environment", _("环境治理")
    CARE = "care", _("邻里照顾")


class Volunteer(models.Model):
    station = models.ForeignKey(
        "directory.Party", verbose_name=_("互助站"), on_delete=models.CASCADE, related_name="volunteers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("志愿者"),
        on_delete=models.CASCADE,
        related_name="volunteering",
    )
    skills = models.JSONField(_("技能"), default=list, blank=True)
    availability = models.CharField(_("服务时间"), max_length=100, blank=True, default="")
    is_active = models.BooleanField(_("在岗"), default=True)
    joined_at = models.DateTimeField(_("加入时间"), default=clock.now)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["station", "user"], name="st_volunteer_once")]
        indexes = [models.Index(fields=["user", "is_active"], name="st_volunteer_user")]

    def skill_labels(self) -> list[str]:
        labels = dict(Skill.choices)
        return [str(labels[s]) for s in self.skills if s in labels]


class NeedTake(models.Model):
    """A volunteer took a micro-need (an appeal routed to the station). One taker per need."""

    appeal = models.OneToOneField("appeals.Appeal", on_delete=models.CASCADE, related_name="need_take")
    station = models.ForeignKey("directory.Party", on_delete=models.CASCADE, related_name="needs_taken")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="takes")
    taken_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("接单")
        verbose_name_plural = _("接单")
        indexes = [models.Index(fields=["volunteer", "taken_at"], name="st_take_volunteer")]


class ServiceLog(models.Model):
    """Service hours (志愿服务时长) for one need a volunteer took, in whole minutes."""

    station = models.ForeignKey("directory.Party", on_delete=models.CASCADE, related_name="service_logs")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="logs")
    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.PROTECT, related_name="service_logs")
    minutes = models.PositiveIntegerField(_("服务分钟"))
    served_on = models.DateField(_("服务日期"))
    note = models.CharField(_("服务内容"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("服务时长")
        verbose_name_plural = _("服务时长")
        ordering = ["-served_on", "-id"]
        indexes = [
            models.Index(fields=["station", "served_on"], name="st_log_station_day"),
            models.Index(fields=["volunteer", "served_on"], name="st_log_volunteer_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0, minutes__lte=24 * 60), name="st_log_minutes_range"
            )
        ]


class Course(models.Model):
    """A training course (培训课程) for stations and volunteers, given by the street or a contracted body."""

    provider = models.ForeignKey(
        "directory.Party", verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="courses"
    )
    place = models.ForeignKey(
        "directory.Place", verbose_name=_("面向"), on_delete=models.PROTECT, related_name="courses"
    )
    title = models.CharField(_("课程名称"), max_length=120)
    description = models.TextField(_("简介"), blank=True, default="")
    capacity = models.PositiveIntegerField(_("名额"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("培训课程")
        verbose_name_plural = _("培训课程")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(capacity__gt=0), name="st_course_capacity")]


class CourseSession(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    topic = models.CharField(_("本节内容"), max_length=120, blank=True, default="")
    location = models.CharField(_("地点"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="st_session_period")
        ]


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("已报名")
    WAITLISTED = "waitlisted", _("候补")
    CANCELLED = "cancelled", _("已取消")


class Enrolment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(max_length=12, choices=EnrolmentStatus.choices)
    queued_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["queued_at", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="st_enrol_once")]
        indexes = [models.Index(fields=["course", "status", "queued_at"], name="st_enrol_queue")]


class SessionAttendance(models.Model):
    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="st_session_attend_once")]
        indexes = [models.Index(fields=["user", "session"], name="st_attend_user")]


class PartyBranch(models.Model):
    """A party branch (党支部) of a compound or building under the community party organisation."""

    party_org = models.ForeignKey(
        "directory.Party", verbose_name=_("社区党组织"), on_delete=models.PROTECT, related_name="branches"
    )
    place = models.ForeignKey(
        "directory.Place",
        verbose_name=_("所在小区或楼栋"),
        on_delete=models.PROTECT,
        related_name="party_branches",
    )
    name = models.CharField(_("支部名称"), max_length=100)
    secretary_name = models.CharField(_("支部书记"), max_length=50, blank=True, default="")

    class Meta:
        verbose_name = _("党支部")
        verbose_name_plural = _("党支部")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["place"], name="st_branch_one_per_place")]


class PartyMember(models.Model):
    """A resident recorded as a party member of a branch — by the party organisation, never by themselves."""

    branch = models.ForeignKey(PartyBranch, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="party_member"
    )
    building = models.ForeignKey(
        "directory.Place",
        verbose_name=_("所在楼栋"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    willing_to_help = models.BooleanField(_("愿意为邻居排忧解难"), default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        indexes = [models.Index(fields=["building", "willing_to_help"], name="st_member_building")]
