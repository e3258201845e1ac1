"""Early warning to the leaders' inbox: a spike is detected once — however often the sweep runs or the week's
count grows — and goes to the street's and the community's leaders, not to observers or residents."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shequ.analytics.alerts import spikes_notify
from shequ.analytics.models import SpikeAlert
from shequ.analytics.rollups import rollup_refresh
from shequ.core import clock
from shequ.core.jobs import run_periodics
from shequ.notifications.models import Notification

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=SH)


def test_a_spike_is_detected_once(world, file_appeal):
    # One lift appeal a week for 8 weeks (mean 1, σ 0) — then six in one week: above 1 + 3·0 and ≥ 5.
    for week in range(8, 0, -1):
        with clock.frozen(MONDAY - timedelta(weeks=week)):
            file_appeal(text=f"电梯异响 {week}")
    for i in range(6):
        with clock.frozen(MONDAY + timedelta(hours=i)):
            file_appeal(text=f"电梯停运 {i}")
    rollup_refresh()
    with clock.frozen(MONDAY + timedelta(days=1)):
        first = spikes_notify()
        again = spikes_notify()
    # category 电梯 and compound 甲小区, each in the street and in the community
    assert first == 4 and again == 0
    assert SpikeAlert.objects.count() == 4
    warned = Notification.objects.filter(verb="analytics.spike")
    street = set(warned.filter(recipient=world.street_leader).values_list("key", flat=True))
    assert len(street) == 2 and all(k.startswith("analytics.spike:") for k in street)
    assert warned.filter(recipient=world.rc_staff).count() == 2
    assert warned.filter(recipient=world.party_secretary).count() == 2
    assert not warned.filter(recipient__in=[world.observer, world.resident_a, world.handler_x]).exists()
    title = warned.filter(recipient=world.street_leader).order_by("id").first().title
    assert "本周诉求 7 件" in title or "本周诉求 6 件" in title
    # The week goes on and the count grows: still the same spike, not told again.
    with clock.frozen(MONDAY + timedelta(days=2)):
        file_appeal(text="电梯又停了")
        rollup_refresh()
        assert spikes_notify() == 0
    assert Notification.objects.filter(verb="analytics.spike").count() == warned.count()
    # Next week is a new week: only a new spike would be told (none here: the baseline now includes it).
    with clock.frozen(MONDAY + timedelta(weeks=1, days=1)):
        assert spikes_notify() == 0


def test_the_hourly_sweep_sends_the_warning(world, file_appeal):
    for i in range(5):
        with clock.frozen(MONDAY + timedelta(hours=i)):
            file_appeal(text=f"电梯停运 {i}")
    assert run_periodics(MONDAY + timedelta(days=1), force=True)["analytics.spikes"] == 4
    assert run_periodics(MONDAY + timedelta(days=1, hours=1), force=True)["analytics.spikes"] == 0
    assert SpikeAlert.objects.count() == 4
