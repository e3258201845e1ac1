"""Micro-projects (小微项目): "财政补一点、集体拿一点、社会赞助一点、群众出一点" — a budget, funding by
four sources (pledged, then received with a receipt), spending with receipts, milestones, and the
public account. Money is `Decimal` with two places (fen), never a float. Writes: `projects.services`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core import clock
from shequ.core.models import TimelineEvent


class Source(models.TextChoices):
    GOVERNMENT = "government", _("财政")
    COLLECTIVE = "collective", _("集体")
    SOCIAL = "social", _("社会")
    RESIDENTS = "residents", _("群众")


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("申报中")
    APPROVED = "approved", _("已批准")
    IN_PROGRESS = "in_progress", _("实施中")
    DONE = "done", _("已完工")
    REJECTED = "rejected", _("未批准")


def _file_path(instance: object, filename: str) -> str:
    ext = (filename.rsplit(".", 1)[-1] if "." in filename else "bin").lower()[:5]
    return f"projects/{clock.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class Project(models.Model):
    title = models.CharField(_("项目名称"), max_length=120)
    description = models.TextField(_("项目内容"), blank=True, default="")
    place = models.ForeignKey(
        "directory.Place", verbose_name=_("地点"), on_delete=models.PROTECT, related_name="projects"
    )
    proposer_party = models.ForeignKey(
        "directory.Party",
        verbose_name=_("申报单位"),
        on_delete=models.PROTECT,
        related_name="projects_proposed",
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    budget = models.DecimalField(_("预算（元）"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    approved_by_party = models.ForeignKey(
        "directory.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="projects_approved"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("小微项目")
        verbose_name_plural = _("小微项目")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["place", "status"], name="proj_place_status"),
            models.Index(fields=["proposer_party", "status"], name="proj_party_status"),
        ]
        constraints = [models.CheckConstraint(condition=Q(budget__gt=0), name="proj_budget_positive")]

    def __str__(self) -> str:
        return self.title


class ProjectEvent(TimelineEvent):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    party = models.ForeignKey(
        "directory.Party", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True, default="")

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["project", "at"], name="proj_event_timeline")]


class FundingStatus(models.TextChoices):
    PLEDGED = "pledged", _("已认捐")
    RECEIVED = "received", _("已到账")


class Funding(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="fundings")
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    payer_name = models.CharField(_("出资方"), max_length=100)
    payer_party = models.ForeignKey(
        "directory.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=10, choices=FundingStatus.choices, default=FundingStatus.PLEDGED
    )
    pledged_at = models.DateTimeField(default=clock.now)
    received_at = models.DateTimeField(null=True, blank=True)
    receipt = models.FileField(_("收款凭证"), upload_to=_file_path, blank=True)
    receipt_type = models.CharField(max_length=40, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["pledged_at", "id"]
        indexes = [models.Index(fields=["project", "status", "source"], name="proj_funding_account")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="proj_funding_positive"),
            models.CheckConstraint(
                condition=Q(status="pledged") | Q(received_at__isnull=False), name="proj_funding_received_at"
            ),
        ]


class Spending(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="spendings")
    source = models.CharField(_("列支来源"), max_length=12, choices=Source.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    payee = models.CharField(_("收款方"), max_length=100)
    description = models.CharField(_("用途"), max_length=200)
    spent_on = models.DateField(_("支出日期"))
    receipt = models.FileField(_("支出凭证"), upload_to=_file_path)
    receipt_type = models.CharField(max_length=40, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("支出")
        verbose_name_plural = _("支出")
        ordering = ["spent_on", "id"]
        indexes = [models.Index(fields=["project", "source"], name="proj_spending_account")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="proj_spending_positive")]


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("进展"), max_length=120)
    progress = models.PositiveSmallIntegerField(_("完成进度（%）"))
    note = models.TextField(_("说明"), blank=True, default="")
    photo = models.FileField(_("照片"), upload_to=_file_path, blank=True)
    photo_type = models.CharField(max_length=40, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="proj_milestone_progress")]
