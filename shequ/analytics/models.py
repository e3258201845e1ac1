"""Analytics (数据分析研判): a narrow per-appeal fact row, per-day rollups read by the rates, the league
table and the leaders' dashboards, the refresh watermark, spikes already announced, and the 12345
hotline exchange. Nothing here is written outside `shequ.analytics` services."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core import clock

# Upper bounds (hours) of the resolution-time buckets h0…h9 of a rollup row; h9 is "more than 60 days".
RESOLVE_BUCKET_HOURS = (2, 8, 24, 48, 72, 168, 360, 720, 1440)
BUCKETS = len(RESOLVE_BUCKET_HOURS) + 1


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
    resolved_at = models.DateTimeField(null=True)
    rated_at = models.DateTimeField(null=True)
    rating = models.CharField(max_length=12, null=True)
    solved = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("诉求统计记录")
        verbose_name_plural = _("诉求统计记录")
        indexes = [
            # hot spots and repeat problems of a street / community over a period
            models.Index(fields=["street_id", "created_at"], name="an_fact_street_created"),
            models.Index(fields=["community_id", "created_at"], name="an_fact_comm_created"),
            # the history of one spot / building for repeat problems
            models.Index(fields=["spot_id", "created_at"], name="an_fact_spot_created"),
        ]


class DailyRollup(models.Model):
    """Counts per local day × street × community × compound × category × accountable party × kind × source.
    Each count is attached to the day of its own timestamp: created by filing time, dispatched and
    accepted-in-time by dispatch time, resolved (and its duration bucket) by resolution time, rated /
    solved / satisfied by rating time. 0 stands for "none" in the id columns."""

    key = models.CharField(max_length=120, unique=True)
    day = models.DateField()
    street_id = models.BigIntegerField(default=0)
    community_id = models.BigIntegerField(default=0)
    compound_id = models.BigIntegerField(default=0)
    category_id = models.BigIntegerField(default=0)
    party_id = models.BigIntegerField(default=0)
    kind = models.CharField(max_length=12, default="")
    source = models.CharField(max_length=10, default="")
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
        verbose_name = _("每日统计")
        verbose_name_plural = _("每日统计")
        indexes = [
            models.Index(fields=["street_id", "day"], name="an_roll_street_day"),
            models.Index(fields=["community_id", "day"], name="an_roll_comm_day"),
            models.Index(fields=["party_id", "day"], name="an_roll_party_day"),
            models.Index(fields=["compound_id", "day"], name="an_roll_compound_day"),
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
