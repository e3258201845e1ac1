"""Limits, pauses and the working-day calendar (`shequ.appeals.calendar`, `shequ.appeals.deadlines`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shequ.appeals import calendar, deadlines
from shequ.appeals.deadlines import Limit, WorkCalendar, add_working_days, add_working_hours
from shequ.appeals.models import CalendarDay, DeadlinePolicy

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture(autouse=True)
def _fresh_cache():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture
def cal(db) -> WorkCalendar:
    return calendar.current()


def test_2026_schedule_is_seeded(cal):
    assert not cal.is_working_day(at(2026, 1, 2).date())  # 元旦 (Friday)
    assert cal.is_working_day(at(2026, 1, 4).date())  # Sunday make-up workday
    assert cal.is_working_day(at(2026, 2, 14).date()) and cal.is_working_day(at(2026, 2, 28).date())
    assert all(not cal.is_working_day(at(2026, 2, d).date()) for d in range(15, 24))
    assert not cal.is_working_day(at(2026, 10, 7).date()) and cal.is_working_day(at(2026, 10, 10).date())
    assert cal.is_working_day(at(2026, 9, 20).date()) and cal.is_working_day(at(2026, 5, 9).date())
    assert CalendarDay.objects.filter(kind="holiday").count() == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert CalendarDay.objects.filter(kind="workday").count() == 6


def test_working_days_skip_weekends_and_holidays(cal):
    assert add_working_days(at(2026, 11, 27, 10), 1, cal) == at(2026, 11, 30, 10)  # Friday → Monday
    assert add_working_days(at(2026, 2, 13, 16), 1, cal) == at(2026, 2, 14, 16)  # Friday → make-up Saturday
    assert add_working_days(at(2026, 2, 14, 16), 1, cal) == at(2026, 2, 24, 16)  # over the Spring Festival
    assert add_working_days(at(2026, 9, 30, 9), 1, cal) == at(2026, 10, 8, 9)  # over 国庆
    assert add_working_days(at(2026, 10, 9, 9), 1, cal) == at(2026, 10, 10, 9)  # to make-up Saturday
    assert add_working_days(at(2026, 11, 28, 10), 1, cal) == at(2026, 11, 30, 10)  # from a Saturday
    assert add_working_days(at(2026, 11, 27, 10), 0, cal) == at(2026, 11, 27, 10)


def test_working_hours_count_office_hours_only(cal):
    assert add_working_hours(at(2026, 11, 27, 16), 4, cal) == at(2026, 11, 30, 11)  # Fri 16:00 + 4 h
    assert add_working_hours(at(2026, 11, 28, 12), 1, cal) == at(2026, 11, 30, 10)  # Saturday → Monday
    assert add_working_hours(at(2026, 11, 26, 7), 2, cal) == at(2026, 11, 26, 11)  # before opening


def test_the_plain_week_without_a_calendar():
    plain = WorkCalendar()
    assert add_working_days(at(2026, 1, 1, 9), 1, plain) == at(2026, 1, 2, 9)


def test_design_defaults(db):
    t0 = at(2026, 11, 27, 10)
    assert deadlines.accept_due(urgency="emergency", start=t0) == t0 + timedelta(minutes=30)
    assert deadlines.accept_due(urgency="normal", start=t0) == t0 + timedelta(hours=2)
    assert deadlines.resolve_due(time_class="general", urgency="emergency", start=t0) == t0 + timedelta(
        hours=2
    )
    assert deadlines.resolve_due(time_class="utility", urgency="normal", start=t0) == t0 + timedelta(hours=24)
    assert deadlines.resolve_due(time_class="general", urgency="normal", start=t0) == t0 + timedelta(days=7)
    assert deadlines.resolve_due(time_class="complex", urgency="normal", start=t0) == t0 + timedelta(days=15)
    assert deadlines.resolve_due(time_class="complex", urgency="urgent", start=t0) == t0 + timedelta(hours=24)


def test_pausing_moves_due_times_later(db):
    t0 = at(2026, 11, 27, 10)
    due = deadlines.resolve_due(time_class="utility", urgency="normal", start=t0, paused_seconds=3600)
    assert due == t0 + timedelta(hours=25)
    assert deadlines.extend(due, seconds=600) == due + timedelta(minutes=10)


def test_policies_are_configurable_by_category_and_urgency(db):
    from shequ.appeals.models import Category

    lift = Category.objects.filter(time_class="utility").first()
    DeadlinePolicy.objects.create(category=lift, urgency="", resolve_limit=2, resolve_unit="working_days")
    DeadlinePolicy.objects.create(time_class="general", urgency="normal", accept_limit=1, accept_unit="hours")
    calendar.clear_cache()
    fri = at(2026, 11, 27, 10)
    assert deadlines.resolve_due(
        time_class="utility", urgency="normal", start=fri, category_id=lift.pk
    ) == at(2026, 12, 1, 10)
    # other utility categories keep 24 h; emergencies keep 2 h (urgency beats time class, category beats both)
    assert deadlines.resolve_due(time_class="utility", urgency="normal", start=fri) == fri + timedelta(
        hours=24
    )
    assert deadlines.accept_due(urgency="normal", time_class="general", start=fri) == fri + timedelta(hours=1)
    assert deadlines.accept_due(urgency="normal", time_class="complex", start=fri) == fri + timedelta(hours=2)


def test_limit_units():
    t0 = at(2026, 11, 27, 10)
    assert Limit(90, "minutes").after(t0) == t0 + timedelta(minutes=90)
    assert Limit(3, "days").after(t0) == t0 + timedelta(days=3)
    assert Limit(2, "working_days").nominal == timedelta(days=2)
