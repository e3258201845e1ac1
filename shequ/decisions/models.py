"""The owners' register (业主名册) and owners' decisions (业主共同决定, Civil Code art. 278).

Register: an `Owner` of record per person (or the developer) in a compound; an `ExclusiveUnit`
(专有部分) per household, shop or parking space with its registered area; `Ownership` ties owners to
units, one of them the unit's representative, who casts the unit's vote.

Decisions: a `Decision` for a compound (or some of its buildings), a snapshot of the roll when voting
opens (`RollVoter` per voting owner, `RollUnit` per unit), one `Ballot` per voter (a database
constraint), and an immutable `DecisionEvent` for every change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core import clock
from shequ.core.models import TimeStampedModel

# --- the register ------------------------------------------------------------------------------------


class Owner(TimeStampedModel):
    """An owner of record in one compound. All of the developer's unsold units belong to its one Owner row,
    so that they count as one owner (SPC interpretation art. 9); a buyer of several units is one row too."""

    compound = models.ForeignKey(
        "directory.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名或名称"), max_length=100)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, default="")
    is_developer = models.BooleanField(_("建设单位"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关联账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owner_records",
    )

    class Meta:
        verbose_name = _("业主")
        verbose_name_plural = _("业主")
        ordering = ["compound_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound"], condition=Q(is_developer=True), name="dec_owner_one_developer"
            ),
            models.UniqueConstraint(
                fields=["compound", "user"], condition=Q(user__isnull=False), name="dec_owner_user_once"
            ),
        ]
        indexes = [
            models.Index(fields=["compound", "phone"], name="dec_owner_by_phone"),
            models.Index(fields=["user"], name="dec_owner_by_user"),
        ]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    HOUSEHOLD = "household", _("住宅")
    SHOP = "shop", _("商铺")
    PARKING = "parking", _("车位")


class AreaSource(models.TextChoices):
    """SPC interpretation art. 8: the register's area, else the surveyed area, else the contract's."""

    REGISTERED = "registered", _("不动产登记簿")
    MEASURED = "measured", _("测绘实测面积")
    CONTRACT = "contract", _("买卖合同面积")


class ExclusiveUnit(TimeStampedModel):
    """An exclusive unit (专有部分) with its area. Households are the directory's household places."""

    compound = models.ForeignKey(
        "directory.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+"
    )
    building = models.ForeignKey(
        "directory.Place",
        verbose_name=_("楼栋"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    household = models.OneToOneField(
        "directory.Place",
        verbose_name=_("房屋"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exclusive_unit",
    )
    kind = models.CharField(_("类型"), max_length=12, choices=UnitKind.choices, default=UnitKind.HOUSEHOLD)
    label = models.CharField(_("房号/编号"), max_length=120)
    area = models.DecimalField(_("专有部分面积（平方米）"), max_digits=9, decimal_places=2)
    area_source = models.CharField(
        _("面积依据"), max_length=12, choices=AreaSource.choices, default=AreaSource.REGISTERED
    )
    developer_unsold = models.BooleanField(
        _("建设单位未售出或未交付"), default=False, help_text=_("这些专有部分合计按一人计算")
    )
    owners = models.ManyToManyField(Owner, through="Ownership", related_name="units", verbose_name=_("业主"))

    class Meta:
        verbose_name = _("专有部分")
        verbose_name_plural = _("专有部分")
        ordering = ["compound_id", "label", "id"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "label"], name="dec_unit_label_unique"),
            models.CheckConstraint(condition=Q(area__gt=0), name="dec_unit_area_positive"),
        ]
        indexes = [
            models.Index(fields=["compound", "building"], name="dec_unit_by_building"),
        ]

    def __str__(self) -> str:
        return self.label


class Ownership(models.Model):
    """An owner of a unit. Co-owners of one unit vote once, through the representative."""

    unit = models.ForeignKey(ExclusiveUnit, on_delete=models.CASCADE, related_name="ownerships")
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="ownerships")
    is_representative = models.BooleanField(_("代表人"), default=True)

    class Meta:
        verbose_name = _("产权关系")
        verbose_name_plural = _("产权关系")
        constraints = [
            models.UniqueConstraint(fields=["unit", "owner"], name="dec_ownership_unique"),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(is_representative=True), name="dec_ownership_one_representative"
            ),
        ]
        indexes = [models.Index(fields=["owner"], name="dec_ownership_by_owner")]

    def __str__(self) -> str:
        return f"{self.owner} · {self.unit}"


# --- decisions ---------------------------------------------------------------------------------------


class Matter(models.TextChoices):
    """Civil Code art. 278 items 1–9. Items 6–8 need three quarters (`MAJOR_MATTERS`)."""

    RULES_OF_PROCEDURE = "rules_of_procedure", _("制定和修改业主大会议事规则")
    MANAGEMENT_RULES = "management_rules", _("制定和修改管理规约")
    COMMITTEE = "committee", _("选举业主委员会或者更换业主委员会成员")
    PROPERTY_COMPANY = "property_company", _("选聘和解聘物业服务企业或者其他管理人")
    USE_FUND = "use_fund", _("使用建筑物及其附属设施的维修资金")
    RAISE_FUND = "raise_fund", _("筹集建筑物及其附属设施的维修资金")
    REBUILD = "rebuild", _("改建、重建建筑物及其附属设施")
    COMMON_PARTS = "common_parts", _("改变共有部分的用途或者利用共有部分从事经营活动")
    OTHER = "other", _("有关共有和共同管理权利的其他重大事项")


MAJOR_MATTERS = frozenset({Matter.RAISE_FUND, Matter.REBUILD, Matter.COMMON_PARTS})


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLICITY = "publicity", _("公示中")
    VOTING = "voting", _("投票中")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已撤销")


class Outcome(models.TextChoices):
    PASSED = "passed", _("通过")
    REJECTED = "rejected", _("未通过")
    NO_QUORUM = "no_quorum", _("参与表决人数或面积不足，未形成决定")


class Decision(TimeStampedModel):
    organiser = models.ForeignKey(
        "directory.Party", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    compound = models.ForeignKey(
        "directory.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+"
    )
    buildings = models.ManyToManyField(
        "directory.Place",
        blank=True,
        related_name="+",
        verbose_name=_("涉及楼栋"),
        help_text=_("只有这些楼栋的业主共有相关部位时填写；不填为全小区"),
    )
    matter = models.CharField(_("表决事项"), max_length=24, choices=Matter.choices)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("议题说明"))
    status = models.CharField(
        _("状态"), max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    publicity_at = models.DateTimeField(_("公示开始"), null=True, blank=True)
    opens_at = models.DateTimeField(_("投票开始"), null=True, blank=True)
    closes_at = models.DateTimeField(_("投票截止"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人")
    )
    # The roll's totals (set when voting opens) and the outcome (set when it closes).
    total_area = models.DecimalField(_("总面积"), max_digits=14, decimal_places=2, null=True, blank=True)
    total_owners = models.PositiveIntegerField(_("总人数"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices, blank=True, default="")
    result = models.JSONField(_("计票结果"), default=dict, blank=True)
    notice_id = models.PositiveBigIntegerField(_("结果公告"), null=True, blank=True)

    class Meta:
        verbose_name = _("业主共同决定")
        verbose_name_plural = _("业主共同决定")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["compound", "status"], name="dec_decision_by_compound"),
            models.Index(fields=["status", "closes_at"], name="dec_decision_due"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_major(self) -> bool:
        return self.matter in MAJOR_MATTERS


class RollVoter(models.Model):
    """One voting owner on a decision's roll (fixed when voting opens): their units' total area."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="voters")
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    area = models.DecimalField(max_digits=12, decimal_places=2)
    unit_count = models.PositiveIntegerField(default=1)
    is_developer = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("表决名册")
        verbose_name_plural = _("表决名册")
        constraints = [models.UniqueConstraint(fields=["decision", "owner"], name="dec_rollvoter_unique")]

    def __str__(self) -> str:
        return self.name


class RollUnit(models.Model):
    """One unit on a decision's roll, with the voter who casts its vote (for the per-unit ballot list)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="roll_units")
    unit = models.ForeignKey(ExclusiveUnit, on_delete=models.PROTECT, related_name="+")
    voter = models.ForeignKey(RollVoter, on_delete=models.CASCADE, related_name="units")
    label = models.CharField(max_length=120)
    area = models.DecimalField(max_digits=9, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["decision", "unit"], name="dec_rollunit_unique")]
        indexes = [models.Index(fields=["decision", "label"], name="dec_rollunit_list")]


class Choice(models.TextChoices):
    AGREE = "agree", _("同意")
    DISAGREE = "disagree", _("反对")
    ABSTAIN = "abstain", _("弃权")


class BallotChannel(models.TextChoices):
    ONLINE = "online", _("网上投票")
    PAPER = "paper", _("纸质表决票")
    PROXY = "proxy", _("委托投票")


class Ballot(models.Model):
    """One per voter and decision (the constraint makes a concurrent second ballot impossible)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(RollVoter, on_delete=models.PROTECT, related_name="ballots")
    choice = models.CharField(_("意见"), max_length=10, choices=Choice.choices)
    channel = models.CharField(_("方式"), max_length=10, choices=BallotChannel.choices)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cast_at = models.DateTimeField(default=clock.now)
    proxy_name = models.CharField(_("受托人"), max_length=100, blank=True, default="")
    document = models.FileField(_("表决票照片或授权委托书"), upload_to="decisions/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")
        constraints = [models.UniqueConstraint(fields=["decision", "voter"], name="dec_ballot_one_per_voter")]

    def __str__(self) -> str:
        return f"{self.decision_id}:{self.voter_id}"


class DecisionEvent(models.Model):
    """An immutable record of every change to a decision (who, when, what, why)."""

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="events", verbose_name=_("表决")
    )
    kind = models.CharField(max_length=24, verbose_name=_("类型"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(default=clock.now, verbose_name=_("时间"))
    reason = models.TextField(blank=True, default="", verbose_name=_("理由"))
    data = models.JSONField(default=dict, blank=True, verbose_name=_("详情"))

    class Meta:
        verbose_name = _("表决记录")
        verbose_name_plural = _("表决记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["decision", "at"], name="dec_event_timeline")]

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.kind, self.kind))


EVENT_LABELS = {
    "created": _("创建"),
    "publicised": _("公示"),
    "opened": _("开始投票"),
    "ballot_online": _("网上投票"),
    "ballot_paper": _("录入纸质表决票"),
    "ballot_proxy": _("录入委托投票"),
    "ballot_corrected": _("更正表决票"),
    "closed": _("结束并计票"),
    "posted": _("公布结果"),
    "cancelled": _("撤销"),
}
