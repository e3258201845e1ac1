"""The maintenance fund (公共维修基金): accounts per compound or building, a ledger in fen, and use
applications moving proposal → owners' decision (or the art. 281 emergency path) → quote/contract →
the housing department's approval → payments → acceptance, every step an event with its documents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core import clock
from shequ.core.models import TimeStampedModel


class FundAccount(TimeStampedModel):
    place = models.OneToOneField(
        "directory.Place", verbose_name=_("小区或楼栋"), on_delete=models.PROTECT, related_name="fund_account"
    )
    balance_fen = models.BigIntegerField(_("余额（分）"), default=0)

    class Meta:
        verbose_name = _("维修资金账户")
        verbose_name_plural = _("维修资金账户")
        constraints = [
            models.CheckConstraint(condition=Q(balance_fen__gte=0), name="fund_balance_not_negative")
        ]

    def __str__(self) -> str:
        return str(self.place)


class LedgerKind(models.TextChoices):
    DEPOSIT = "deposit", _("交存")
    INTEREST = "interest", _("利息")
    PAYMENT = "payment", _("支付")


class LedgerEntry(models.Model):
    account = models.ForeignKey(
        FundAccount, on_delete=models.PROTECT, related_name="ledger", verbose_name=_("维修基金账户")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=LedgerKind.choices)
    amount_fen = models.BigIntegerField(_("金额（分）"))  # positive in, negative out
    balance_after_fen = models.BigIntegerField(_("余额（分）"))
    application = models.ForeignKey(
        "funds.FundApplication",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger",
        verbose_name=_("使用申请"),
    )
    note = models.CharField(_("摘要"), max_length=200, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(default=clock.now, verbose_name=_("时间"))

    class Meta:
        verbose_name = _("基金流水")
        verbose_name_plural = _("基金流水")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["account", "at"], name="fund_ledger_by_account")]


class ApplicationStatus(models.TextChoices):
    PROPOSED = "proposed", _("已提出")
    DECIDED = "decided", _("业主已表决同意")
    EMERGENCY = "emergency", _("紧急情况（民法典第二百八十一条）")
    QUOTED = "quoted", _("已报价/签约")
    SUBMITTED = "submitted", _("已报房管部门")
    APPROVED = "approved", _("房管部门已批准")
    REJECTED = "rejected", _("房管部门未批准")
    PAID = "paid", _("已支付")
    ACCEPTED = "accepted", _("已验收")


EVENT_LABELS = {**dict(ApplicationStatus.choices), "payment": _("支付一笔款项")}


class EmergencyKind(models.TextChoices):
    """Emergencies for which the fund may be used without the owners' vote (Civil Code art. 281 para. 2;
    the Ministry's rules on the fund, art. 22)."""

    LIFT = "lift", _("电梯故障危及安全")
    ROOF = "roof", _("屋面、外墙渗漏")
    FIRE = "fire", _("消防设施失灵")
    WATER = "water", _("供排水设施损坏")
    STRUCTURE = "structure", _("楼体外立面存在脱落危险")


class FundApplication(TimeStampedModel):
    account = models.ForeignKey(
        FundAccount, on_delete=models.PROTECT, related_name="applications", verbose_name=_("维修基金账户")
    )
    organiser = models.ForeignKey(
        "directory.Party", verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "directory.Party", verbose_name=_("审批部门"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("说明"))
    beneficiaries = models.ManyToManyField(
        "directory.Place",
        blank=True,
        related_name="+",
        verbose_name=_("受益楼栋"),
        help_text=_("费用按专有部分面积分摊给这些楼栋的业主；不填为账户范围内全部业主"),
    )
    amount_fen = models.BigIntegerField(_("金额（分）"), default=0)
    emergency = models.CharField(
        _("紧急情况"), max_length=12, choices=EmergencyKind.choices, blank=True, default=""
    )
    decision = models.ForeignKey(
        "decisions.Decision",
        verbose_name=_("业主表决"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.PROPOSED
    )
    paid_fen = models.BigIntegerField(_("已支付（分）"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )

    class Meta:
        verbose_name = _("维修资金使用申请")
        verbose_name_plural = _("维修资金使用申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["department", "status"], name="fund_app_review_queue")]

    def __str__(self) -> str:
        return self.title


class FundEvent(models.Model):
    application = models.ForeignKey(FundApplication, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=clock.now)
    reason = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    document = models.FileField(upload_to="funds/%Y/%m/", blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["application", "at"], name="fund_event_timeline")]

    @property
    def label(self) -> str:
        """The step in words: the status it led to, or a payment."""
        return str(EVENT_LABELS.get(self.kind, self.kind))
