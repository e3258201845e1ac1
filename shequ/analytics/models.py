"""Analytics (数据分析研判): a narrow per-appeal fact row, per-day rollups read by the rates, the league
table and the leaders' dashboards, the refresh watermark, spikes already announced, and the 12345
hotline exchange. Nothing here is written outside `shequ.analytics` services."""

from __future__ import annotations

import math

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.appeals.models import OPEN_STATUSES
from shequ.core import clock

# Upper bounds (hours) of the resolution-time buckets h0…h9 of a rollup row; h9 is "more than 60 days".
RESOLVE_BUCKET_HOURS = (2, 8, 24, 48, 72, 168, 360, 720, 1440)
BUCKETS = len(RESOLVE_BUCKET_HOURS) + 1

# The banded histogram of resolution times of the month rows (`MonthlyBands`, read by percentiles.py):
# band 0 is under a minute; band k ≥ 1 holds the whole seconds in [BAND_EDGES[k-1], BAND_EDGES[k]), each
# edge ⌈60 · 1.04^k⌉, so every band's largest value is less than 1.04 × its smallest; the last band (k =
# len(BAND_EDGES)) is open-ended, beyond ten years. Integer edges: Python (`bisect`) and SQL (a CASE over
# the same literals) band a duration identically.
BAND_GROWTH = 1.04
BAND_EDGES: tuple[int, ...] = tuple(
    math.ceil(60 * BAND_GROWTH**k) for k in range(math.ceil(math.log(3650 * 86400 / 60, BAND_GROWTH)) + 1)
)


FILTER_COLUMNS = ("compound_id", "category_id", "party_id", "kind", "source")
PLACE_COLUMNS = ("community_id", "building_id", "spot_id", *FILTER_COLUMNS)
TIME_COLUMNS = ("community_id", "created_at", *FILTER_COLUMNS)
SPIKE_COLUMNS = ("category_id", "compound_id", "created")
OPEN_COLUMNS = (*FILTER_COLUMNS, "status", "accept_due_at", "resolve_due_at")


class AppealFact(models.Model):
    """What the rollups last counted for one appeal (a narrow copy of the columns the figures need).
    A refresh subtracts the old row's contributions and adds the new one's, so it is exact."""

    appeal_id = models.BigIntegerField(primary_key=True)
    street_id = models.BigIntegerField(default=0)
    community_id = models.BigIntegerField(default=0)
    compound_id = models.BigIntegerField(default=0)
    building_id = models.BigIntegerField(default=0)
    spot_id = models.BigIntegerField(default=0)
    place_id = models.BigIntegerField(default=0)
    category_id = models.BigIntegerField(default=0)
    party_id = models.BigIntegerField(default=0)  # the accountable party: first party, else responsible
    kind = models.CharField(max_length=12, default="")
    source = models.CharField(max_length=10, default="")
    status = models.CharField(max_length=12, default="")
    escalated = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True)
    accepted_at = models.DateTimeField(null=True)
    accept_due_at = models.DateTimeField(null=True)
    resolve_due_at = models.DateTimeField(null=True)  # with status: "open" and "overdue" now (overdue_q)
    resolved_at = models.DateTimeField(null=True)
    resolve_seconds = models.BigIntegerField(null=True)  # whole seconds filing → 办结 (≥ 0), when resolved
    rated_at = models.DateTimeField(null=True)
    rating = models.CharField(max_length=12, null=True)
    solved = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("诉求统计记录")
        verbose_name_plural = _("诉求统计记录")
        indexes = [
            # hot spots, repeat problems and 每月一题 of a street / community over a period: index-only
            # (PostgreSQL) with the filter and grouping columns included
            models.Index(
                fields=["street_id", "created_at"], name="an_fact_street_created", include=PLACE_COLUMNS
            ),
            models.Index(
                fields=["community_id", "created_at"], name="an_fact_comm_created", include=PLACE_COLUMNS
            ),
            # the history of one spot / building for repeat problems
            models.Index(fields=["spot_id", "created_at"], name="an_fact_spot_created"),
            # repeat problems of a street / community: only the appeals about a spot or asset
            models.Index(
                fields=["street_id", "created_at"],
                name="an_fact_spots",
                include=("community_id", "spot_id", "resolved_at", *FILTER_COLUMNS),
                condition=~models.Q(spot_id=0),
            ),
            # exact resolution-time percentiles of the appeals resolved in a period (percentiles.py)
            models.Index(
                fields=["street_id", "resolved_at"], name="an_fact_street_resolved", include=TIME_COLUMNS
            ),
            models.Index(
                fields=["community_id", "resolved_at"], name="an_fact_comm_resolved", include=TIME_COLUMNS
            ),
            # the dashboards' "open" and "overdue" tiles (the open appeals of an area, overdue_q on them)
            models.Index(
                fields=["street_id", "community_id"],
                name="an_fact_open",
                include=OPEN_COLUMNS,
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
            ),
        ]


class RollupDimensions(models.Model):
    """The key and the dimensions every rollup row has (0 stands for "none" in the id columns): the day and
    month rows (`RollupCounts`) and the month histograms (`MonthlyBands`) share them, so a figure reads
    them the same way whichever table it comes from (`filters._filtered`)."""

    key = models.CharField(max_length=120, unique=True)
    street_id = models.BigIntegerField(default=0)
    community_id = models.BigIntegerField(default=0)
    compound_id = models.BigIntegerField(default=0)
    category_id = models.BigIntegerField(default=0)
    party_id = models.BigIntegerField(default=0)
    kind = models.CharField(max_length=12, default="")
    source = models.CharField(max_length=10, default="")

    class Meta:
        abstract = True


class RollupCounts(RollupDimensions):
    """The counts a rollup row shares. Each count is attached to the day of its own timestamp: created by
    filing time, dispatched and accepted-in-time by dispatch time, resolved (and its duration bucket) by
    resolution time, rated / solved / satisfied by rating time."""

    created = models.IntegerField(default=0)
    escalated = models.IntegerField(default=0)  # of those created that day, escalated since
    dispatched = models.IntegerField(default=0)
    accepted_in_time = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    resolve_seconds = models.BigIntegerField(default=0)
    h0 = models.IntegerField(default=0)
    h1 = models.IntegerField(default=0)
    h2 = models.IntegerField(default=0)
    h3 = models.IntegerField(default=0)
    h4 = models.IntegerField(default=0)
    h5 = models.IntegerField(default=0)
    h6 = models.IntegerField(default=0)
    h7 = models.IntegerField(default=0)
    h8 = models.IntegerField(default=0)
    h9 = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyRollup(RollupCounts):
    """Counts per local day × street × community × compound × category × accountable party × kind × source
    (the early-warning weeks and any day-level figure)."""

    day = models.DateField()

    class Meta:
        verbose_name = _("每日统计")
        verbose_name_plural = _("每日统计")
        indexes = [
            # the early warning's weeks of a street / community (index-only on PostgreSQL)
            models.Index(fields=["street_id", "day"], name="an_roll_street_day", include=SPIKE_COLUMNS),
            models.Index(fields=["community_id", "day"], name="an_roll_comm_day", include=SPIKE_COLUMNS),
            models.Index(fields=["party_id", "day"], name="an_roll_party_day"),
            models.Index(fields=["compound_id", "day"], name="an_roll_compound_day"),
        ]


class MonthlyRollup(RollupCounts):
    """The same counts per local month (`month` is its first day): what the dashboards' periods, trends and
    rankings, the rates, the league table and the all-time figures read — about 30× fewer rows than the
    days at a million appeals. Kept by the same deltas as the days (`rollups._apply`)."""

    month = models.DateField()

    class Meta:
        verbose_name = _("每月统计")
        verbose_name_plural = _("每月统计")
        indexes = [
            # a street's dashboard: its months (periods, the 12-month trend, rankings)
            models.Index(fields=["street_id", "month"], name="an_month_street"),
            # a community's dashboard and place rates
            models.Index(fields=["community_id", "month"], name="an_month_comm"),
            # party rates, the league table, a party's history
            models.Index(fields=["party_id", "month"], name="an_month_party"),
            # the rates of a compound (物业之窗, a scorecard's places)
            models.Index(fields=["compound_id", "month"], name="an_month_compound"),
        ]


class MonthlyBands(RollupDimensions):
    """The resolution times of one month row's resolved appeals (same key and dimensions as its
    `MonthlyRollup`) as a banded histogram {band: count} (BAND_EDGES; empty bands left out): the dashboards'
    median and 90th percentile are read from it. A table of its own so the month rows stay narrow for the
    dashboards' grouped reads; kept by the same deltas (`rollups._apply_bands`), present only for rows that
    resolved something."""

    month = models.DateField()
    bands = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("办结时长分布")
        verbose_name_plural = _("办结时长分布")
        indexes = [
            models.Index(fields=["street_id", "month"], name="an_bands_street"),
            models.Index(fields=["community_id", "month"], name="an_bands_comm"),
        ]


COUNT_FIELDS = (
    "created",
    "escalated",
    "dispatched",
    "accepted_in_time",
    "resolved",
    "resolve_seconds",
    *(f"h{i}" for i in range(BUCKETS)),
    "rated",
    "solved",
    "satisfied",
)


class RollupState(models.Model):
    """The refresh watermark: the highest appeal-event id whose appeal has been rolled up."""

    name = models.CharField(max_length=30, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("统计刷新进度")
        verbose_name_plural = _("统计刷新进度")


class HotlineMatch(models.TextChoices):
    BUILDING = "building", _("楼栋")
    COMPOUND = "compound", _("小区")
    COMMUNITY = "community", _("社区")
    NONE = "none", _("未匹配")


class HotlineImport(models.Model):
    """One upload of a 12345 file: who, what, and the row report (kept even when it was refused)."""

    area = models.ForeignKey(
        "directory.Place", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filename = models.CharField(_("文件名"), max_length=200)
    file_format = models.CharField(_("格式"), max_length=8)
    created_at = models.DateTimeField(_("导入时间"), default=clock.now)
    ok = models.BooleanField(_("已导入"), default=False)
    report = models.JSONField(_("导入报告"), default=dict)

    class Meta:
        verbose_name = _("12345导入")
        verbose_name_plural = _("12345导入")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["area", "-created_at"], name="an_hotimport_area")]


class HotlineMapping(models.Model):
    """The column mapping an area last used (our field → the file's header), offered next time."""

    area = models.OneToOneField(
        "directory.Place", verbose_name=_("地区"), on_delete=models.CASCADE, related_name="+"
    )
    columns = models.JSONField(_("列对应"), default=dict)
    updated_at = models.DateTimeField(_("更新时间"), default=clock.now)

    class Meta:
        verbose_name = _("12345列对应")
        verbose_name_plural = _("12345列对应")


class HotlineOrder(models.Model):
    """A 12345 work order, deduplicated on its hotline number, filed as an appeal with source "hotline".
    The caller's name and phone stay here (personal data, masked in every public view)."""

    number = models.CharField(_("工单编号"), max_length=40, unique=True)
    area = models.ForeignKey(
        "directory.Place", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+"
    )
    appeal = models.OneToOneField(
        "appeals.Appeal",
        verbose_name=_("诉求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_order",
    )
    received_at = models.DateTimeField(_("来电时间"))
    deadline = models.DateTimeField(_("办理时限"), null=True, blank=True)
    caller_name = models.CharField(_("来电人"), max_length=50, blank=True, default="")
    caller_phone = models.CharField(_("来电号码"), max_length=32, blank=True, default="")
    address_text = models.CharField(_("地址"), max_length=300)
    category_text = models.CharField(_("分类"), max_length=50)
    content = models.TextField(_("内容"))
    hotline_status = models.CharField(_("热线状态"), max_length=30, blank=True, default="")
    match = models.CharField(_("地址匹配"), max_length=10, choices=HotlineMatch.choices)
    matched_place = models.ForeignKey(
        "directory.Place",
        verbose_name=_("匹配地点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_import = models.ForeignKey(
        HotlineImport, verbose_name=_("导入批次"), null=True, on_delete=models.SET_NULL, related_name="orders"
    )
    created_at = models.DateTimeField(_("导入时间"), default=clock.now)
    updated_at = models.DateTimeField(_("更新时间"), default=clock.now)

    class Meta:
        verbose_name = _("12345工单")
        verbose_name_plural = _("12345工单")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["area", "-received_at"], name="an_hotline_area_received"),
            models.Index(
                fields=["area", "-received_at"],
                name="an_hotline_unfiled",
                condition=models.Q(appeal__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class SpikeAlert(models.Model):
    """One early-warning spike that was sent to the leaders' inbox: (area, dimension, key, week) is notified
    once, however many times the sweep sees it again or the count grows during the week."""

    area_id = models.BigIntegerField()  # the street or community whose leaders were told
    dimension = models.CharField(max_length=12)  # category | compound
    key = models.BigIntegerField()
    week = models.DateField()  # Monday of the week
    count = models.IntegerField()  # appeals this week when it was first seen
    threshold = models.FloatField()
    recipients = models.IntegerField(default=0)
    notified_at = models.DateTimeField()

    class Meta:
        verbose_name = _("预警通知")
        verbose_name_plural = _("预警通知")
        constraints = [
            models.UniqueConstraint(fields=["area_id", "dimension", "key", "week"], name="an_spike_once"),
        ]
