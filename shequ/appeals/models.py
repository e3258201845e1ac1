"""Appeals (诉求 / 工单 — 叫得应): categories, appeals, their immutable timeline, photos, routing rules.

(Just over 500 lines: the appeal's models and the index comments that name the query each index serves.)

Nothing here changes state: every write goes through `shequ.appeals.services`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core import clock
from shequ.directory.models import PartyKind


class Kind(models.TextChoices):
    CONSULT = "consult", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("建议")
    PRAISE = "praise", _("表扬")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    EMERGENCY = "emergency", _("危及生命财产")


class TimeClass(models.TextChoices):
    """How long a category normally takes to resolve (DESIGN §3)."""

    UTILITY = "utility", _("水电气暖及电梯（24小时）")
    GENERAL = "general", _("一般事项（7天）")
    COMPLEX = "complex", _("复杂事项（15天）")


class Source(models.TextChoices):
    APP = "app", _("居民自助")
    STAFF = "staff", _("工作人员代办")
    PATROL = "patrol", _("巡查发现")
    HOTLINE = "hotline", _("12345热线")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待派单")
    DISPATCHED = "dispatched", _("待签收")
    ACCEPTED = "accepted", _("已签收")
    IN_PROGRESS = "in_progress", _("处理中")
    PAUSED = "paused", _("已暂停")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已关闭")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = frozenset(
    {Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS, Status.PAUSED}
)
# Statuses in which the party has not yet accepted (the accept clock runs).
AWAITING_ACCEPT = frozenset({Status.SUBMITTED, Status.DISPATCHED})


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交诉求")
    DISPATCHED = "dispatched", _("派单")
    ACCEPTED = "accepted", _("签收")
    RETURNED = "returned", _("退单")
    TRANSFERRED = "transferred", _("转办")
    PAUSED = "paused", _("暂停")
    RESUMED = "resumed", _("恢复办理")
    REPLIED = "replied", _("回复")
    NOTE = "note", _("内部备注")
    RESOLVED = "resolved", _("办结")
    CONFIRMED = "confirmed", _("确认解决")
    REOPENED = "reopened", _("重新办理")
    RATED = "rated", _("评价")
    CLOSED = "closed", _("关闭")
    MERGED = "merged", _("合并")
    ESCALATED = "escalated", _("升级")
    WHISTLE_BLOWN = "whistle_blown", _("吹哨")
    REPORTED_IN = "reported_in", _("部门报到")
    REPORTED_BACK = "reported_back", _("部门反馈")
    HELPER_ASSIGNED = "helper_assigned", _("大手拉小手")
    CALLBACK_REMINDED = "callback_reminded", _("回访提醒")
    CLOSED_UNRATED = "closed_unrated", _("超期未评价关闭")


class Category(models.Model):
    """A configurable tree of appeal categories; defaults come from a data migration."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    default_party_kind = models.CharField(
        _("默认责任主体类型"),
        max_length=32,
        choices=PartyKind.choices,
        blank=True,
        default="",
        help_text=_("没有路由规则时，派给服务该地点的这一类主体"),
    )
    default_urgency = models.CharField(
        _("默认紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    time_class = models.CharField(
        _("办理时限类别"), max_length=10, choices=TimeClass.choices, default=TimeClass.GENERAL
    )
    is_consultation = models.BooleanField(
        _("可私密咨询"), default=False, help_text=_("家庭医生、社区民警等私密咨询可选此分类")
    )
    icon = models.CharField(_("图标"), max_length=30, blank=True, default="")

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["sort", "id"]
        indexes = [models.Index(fields=["parent", "sort"], name="appeal_cat_children")]

    def __str__(self) -> str:
        return self.name


def _photo_path(instance: AppealPhoto, filename: str) -> str:
    now = clock.now()
    return f"appeals/{now:%Y/%m}/{uuid.uuid4().hex}.jpg"


def _thumb_path(instance: AppealPhoto, filename: str) -> str:
    now = clock.now()
    return f"appeals/{now:%Y/%m}/{uuid.uuid4().hex}_t.jpg"


class Appeal(models.Model):
    # Unique through Meta.constraints (appeal_number): one btree index, no second `_like` one.
    number = models.CharField(_("编号"), max_length=20)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.HELP)
    category = models.ForeignKey(
        Category,
        verbose_name=_("分类"),
        on_delete=models.PROTECT,
        related_name="appeals",
        db_index=False,  # covered by appeal_category (category, -created_at)
    )
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    place = models.ForeignKey(
        "directory.Place", verbose_name=_("地点"), on_delete=models.PROTECT, related_name="appeals"
    )
    spot = models.ForeignKey(
        "directory.Spot",
        verbose_name=_("公共部位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appeals",
    )
    # Denormalised from place for fast filters (set by services).
    street_id = models.BigIntegerField(null=True, blank=True, db_index=True, verbose_name=_("街道（编号）"))
    community_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("社区（编号）"))
    compound_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("小区（编号）"))
    building_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("楼栋（编号）"))
    household = models.ForeignKey(
        "directory.Place",
        verbose_name=_("反映人房屋"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("提交时反映人所在的房屋；同户家人可查看"),
        db_index=False,  # covered by appeal_household (household, -created_at)
    )
    text = models.TextField(_("内容"))
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.APP)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反映人"),
        on_delete=models.PROTECT,
        related_name="appeals",
        db_index=False,  # covered by appeal_reporter (reporter, -created_at)
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appeals_filed",
    )
    is_public = models.BooleanField(_("公开"), default=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    dispatcher = models.ForeignKey(
        "directory.Party",
        verbose_name=_("派单主体（居委会）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals_dispatching",
        db_index=False,  # covered by appeal_dispatcher_status (dispatcher, status)
    )
    responsible_party = models.ForeignKey(
        "directory.Party",
        verbose_name=_("当前责任主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals_responsible",
        db_index=False,  # covered by appeal_party_status (responsible_party, status)
    )
    first_party = models.ForeignKey(
        "directory.Party",
        verbose_name=_("首接负责主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals_first",
        db_index=False,  # covered by appeal_first_status (first_party, status)
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appeals_handling",
    )
    created_at = models.DateTimeField(_("提交时间"), default=clock.now)
    updated_at = models.DateTimeField(_("更新时间"), default=clock.now)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    accept_due_at = models.DateTimeField(_("签收时限"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("办结时限"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("累计暂停秒数"), default=0)
    escalation_level = models.PositiveSmallIntegerField(_("升级层级"), default=0)
    escalated_to = models.ForeignKey(
        "directory.Party",
        verbose_name=_("升级至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals_escalated",
        db_index=False,  # covered by appeal_escalated_status (escalated_to, status)
    )
    callback_due_at = models.DateTimeField(_("回访时限"), null=True, blank=True)
    # When the sweeper next has something to do: the current stage's limit, then the next rung of the
    # ladder (`deadlines.next_due`). Kept by appeal_create/appeal_transition; NULL = nothing can fall due.
    next_due_at = models.DateTimeField(_("下一时限"), null=True, blank=True)
    # Not columns: the photos and the events the filing service has just saved, so that the answer to
    # the filing shows them without reading them back (`presenter.present_detail(just_filed=True)`);
    # None otherwise.
    filed_photos: list | None = None
    filed_events: list | None = None
    outcome = models.TextField(_("办理结果"), blank=True, default="")
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, null=True, blank=True)
    solved = models.BooleanField(_("是否解决"), null=True, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    closed_unrated = models.BooleanField(_("超期未评价关闭"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("关注者"), blank=True, related_name="appeals_followed"
    )
    helper_party = models.ForeignKey(
        "directory.Party",
        verbose_name=_("协助主体（大手拉小手）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals_helping",
    )
    fee_waived = models.BooleanField(_("免收上门费"), default=False)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-created_at", "-id"]
        # Each index serves a product query (named in the comment); a foreign key whose index a
        # composite below already leads with has db_index=False.
        indexes = [
            # lists filtered by status, newest first (GET /appeals?status=…, the street's open tiles)
            models.Index(fields=["status", "-created_at"], name="appeal_status"),
            # the workbench queue / scope=assigned: the responsible party's open appeals
            models.Index(fields=["responsible_party", "status"], name="appeal_party_status"),
            # staff visibility of the first party (首接负责) and its rates
            models.Index(fields=["first_party", "status"], name="appeal_first_status"),
            # the supervisor's escalations (scope=assigned, the 环物会 / party org start pages)
            models.Index(fields=["escalated_to", "status"], name="appeal_escalated_status"),
            # the residents' committee's dispatch queue and its visibility of the community
            models.Index(fields=["dispatcher", "status"], name="appeal_dispatcher_status"),
            # the public list of a community, newest first
            models.Index(fields=["community_id", "-created_at"], name="appeal_community"),
            # the public list of a community (its capped count and its keyset pages), index-only: the
            # public rows alone, with the columns the claim rule reads (access.claim_q); the capped count
            # over a 737,000-appeal community read 10,001 heap rows (≈210 ms), here 3.9 ms
            models.Index(
                fields=["community_id", "-created_at", "-id"],
                name="appeal_public_list",
                include=["street_id", "filed_by", "source", "household", "reporter"],
                condition=Q(is_public=True) & ~Q(kind="consult"),
            ),
            # the public list / workbench filtered by compound, newest first
            models.Index(fields=["compound_id", "-created_at"], name="appeal_compound"),
            # a building's appeals (building leaders' area, the place filter)
            models.Index(fields=["building_id", "-created_at"], name="appeal_building"),
            # my appeals: those I filed, newest first (one arm of the UNION)
            models.Index(fields=["reporter", "-created_at"], name="appeal_reporter"),
            # my appeals: my household's, newest first (one arm of the UNION)
            models.Index(fields=["household", "-created_at"], name="appeal_household"),
            # every list's newest-first order and its keyset pages
            models.Index(fields=["-created_at"], name="appeal_created"),
            # the category filter, newest first
            models.Index(fields=["category", "-created_at"], name="appeal_category"),
            # the overdue filter and the escalation sweep (accept / resolve stage)
            models.Index(
                fields=["accept_due_at"], name="appeal_accept_due", condition=Q(accept_due_at__isnull=False)
            ),
            models.Index(
                fields=["resolve_due_at"],
                name="appeal_resolve_due",
                condition=Q(resolve_due_at__isnull=False),
            ),
            # the callback sweep (remind, close unrated)
            models.Index(
                fields=["callback_due_at"],
                name="appeal_callback_due",
                condition=Q(callback_due_at__isnull=False),
            ),
            # the escalated queue of a ladder level (supervision.selectors.escalated_to_parties), in its
            # order: open escalated rows alone, read in order until the page is full; escalated_to
            # included so a level with few rows filters the whole queue index-only (at 1M: 17,511 open
            # escalated rows; the page sorted all of them after 5 joins, 195 ms)
            models.Index(
                fields=["-escalation_level", "accept_due_at", "-id"],
                name="appeal_escalated_queue",
                include=["escalated_to"],
                condition=Q(escalation_level__gt=0)
                & ~Q(kind="consult")
                & Q(status__in=sorted(OPEN_STATUSES)),
            ),
            # the sweeper: next_due_at <= now ORDER BY next_due_at (and the workbench's "next due")
            models.Index(
                fields=["next_due_at", "id"],
                name="appeal_due_sweep",
                condition=Q(next_due_at__isnull=False),
            ),
        ]
        constraints = [
            # an appeal by its number (the workbench search, 12345 cross-references)
            models.UniqueConstraint(fields=["number"], name="appeal_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.category.name if self.category_id else ''}"

    @property
    def is_consultation(self) -> bool:
        return self.kind == Kind.CONSULT

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def get_status_display(self) -> str:  # type: ignore[no-redef]  # the stubs declare the generated one
        """The status's label, translated once: Django's generated method hashes every lazy label of the
        choices on each call (8 translations per row; 200 escalated rows spent ≈25 ms on it)."""
        try:
            return str(Status(self.status).label)
        except ValueError:
            return str(self.status)


class AppealEvent(models.Model):
    """One immutable line of an appeal's timeline. Written only by services; never updated."""

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="events", verbose_name=_("诉求")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    party = models.ForeignKey(
        "directory.Party",
        verbose_name=_("主体"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=clock.now)
    is_public = models.BooleanField(_("公开"), default=True)
    text = models.TextField(_("说明"), blank=True, default="")
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("诉求记录")
        verbose_name_plural = _("诉求记录")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["appeal", "created_at"], name="appeal_event_timeline"),
            models.Index(fields=["kind", "created_at"], name="appeal_event_kind"),
            # supervision.selectors.escalated_to_parties: the appeals that passed a ladder level
            models.Index(
                fields=["party", "appeal"], name="appeal_event_escalated", condition=Q(kind="escalated")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError("AppealEvent is immutable")
        super().save(*args, **kwargs)


class PhotoStage(models.TextChoices):
    REPORT = "report", _("反映时")
    PROGRESS = "progress", _("办理中")
    RESOLUTION = "resolution", _("办结时")


class AppealPhoto(models.Model):
    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="photos", verbose_name=_("诉求")
    )
    event = models.ForeignKey(
        AppealEvent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="photos",
        verbose_name=_("所属步骤"),
    )
    stage = models.CharField(_("阶段"), max_length=12, choices=PhotoStage.choices, default=PhotoStage.REPORT)
    image = models.ImageField(_("图片"), upload_to=_photo_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(_("缩略图"), upload_to=_thumb_path)
    width = models.PositiveIntegerField(default=0, verbose_name=_("宽（像素）"))
    height = models.PositiveIntegerField(default=0, verbose_name=_("高（像素）"))
    size = models.PositiveIntegerField(_("字节数"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), default=clock.now)

    class Meta:
        verbose_name = _("诉求照片")
        verbose_name_plural = _("诉求照片")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["appeal", "created_at"], name="appeal_photo_appeal")]


class RoutingRule(models.Model):
    """Category × place → party. The most specific active rule wins; see `shequ.appeals.routing`."""

    category = models.ForeignKey(
        Category,
        verbose_name=_("分类"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        help_text=_("留空表示所有分类；上级分类包含其下级"),
    )
    place = models.ForeignKey(
        "directory.Place",
        verbose_name=_("适用地点"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("留空表示所有地点；选择社区或小区则包含其下所有地点"),
    )
    party_kind = models.CharField(
        _("责任主体类型"),
        max_length=32,
        choices=PartyKind.choices,
        blank=True,
        default="",
        help_text=_("派给服务该地点的这一类主体"),
    )
    party = models.ForeignKey(
        "directory.Party",
        verbose_name=_("指定责任主体"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    priority = models.IntegerField(_("优先级"), default=100, help_text=_("数字小的先匹配"))
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        ordering = ["priority", "id"]
        indexes = [models.Index(fields=["category", "is_active"], name="appeal_rule_category")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(party_kind="") | Q(party__isnull=False), name="appeal_rule_has_target"
            ),
        ]

    def __str__(self) -> str:
        target = self.party.name if self.party is not None else self.get_party_kind_display()
        return f"{self.category or _('全部分类')} → {target}"


# The lifecycle's time tables live in their own module; imported here so Django registers them.
from shequ.appeals.lifecycle_models import CalendarDay as CalendarDay  # noqa: E402
from shequ.appeals.lifecycle_models import CallbackReminder as CallbackReminder  # noqa: E402
from shequ.appeals.lifecycle_models import DeadlinePolicy as DeadlinePolicy  # noqa: E402
from shequ.appeals.lifecycle_models import Unit as Unit  # noqa: E402
