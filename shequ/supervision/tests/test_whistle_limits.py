"""Report-in limits of whistles (报到时限), on the working-day calendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shequ.supervision import policies
from shequ.supervision.models import WhistleLimit

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def test_whistle_report_in_limits(db):
    fri = at(2026, 11, 27, 15)
    assert policies.whistle_due(kind="routine", start=fri) == at(2026, 11, 30, 15)
    assert policies.whistle_due(kind="tough", start=fri) == fri + timedelta(hours=4)
    assert policies.whistle_due(kind="emergency", start=fri) == fri + timedelta(minutes=30)
    WhistleLimit.objects.filter(kind="tough").update(limit=2)
    policies.clear_cache()
    assert policies.whistle_due(kind="tough", start=fri) == fri + timedelta(hours=2)
