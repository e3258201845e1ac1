"""Seed the 2026 holiday schedule (国办发明电〔2025〕 notice of 4 Nov 2025), the DESIGN §3 time limits and
the whistle report-in limits. 2027 is entered by staff in the admin once the State Council publishes it."""

from datetime import date, timedelta

from django.db import migrations

HOLIDAYS_2026 = [
    ("元旦", date(2026, 1, 1), date(2026, 1, 3)),
    ("春节", date(2026, 2, 15), date(2026, 2, 23)),
    ("清明节", date(2026, 4, 4), date(2026, 4, 6)),
    ("劳动节", date(2026, 5, 1), date(2026, 5, 5)),
    ("端午节", date(2026, 6, 19), date(2026, 6, 21)),
    ("中秋节", date(2026, 9, 25), date(2026, 9, 27)),
    ("国庆节", date(2026, 10, 1), date(2026, 10, 7)),
]
WORKDAYS_2026 = [
    ("元旦", date(2026, 1, 4)),
    ("春节", date(2026, 2, 14)),
    ("春节", date(2026, 2, 28)),
    ("劳动节", date(2026, 5, 9)),
    ("国庆节", date(2026, 9, 20)),
    ("国庆节", date(2026, 10, 10)),
]

# (urgency, time_class, accept, accept_unit, resolve, resolve_unit, note)
POLICIES = [
    ("emergency", "", 30, "minutes", 2, "hours", "危及生命财产：30分钟签收，2小时办结或实质反馈"),
    ("urgent", "", 2, "hours", 24, "hours", "紧急：2小时签收，24小时内办结"),
    ("", "utility", 2, "hours", 24, "hours", "水电气暖及电梯：24小时"),
    ("", "general", 2, "hours", 7, "days", "一般事项：7天"),
    ("", "complex", 2, "hours", 15, "days", "复杂事项：15天"),
]
WHISTLE_LIMITS = [("routine", 1, "working_days"), ("tough", 4, "hours"), ("emergency", 30, "minutes")]


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("supervision", "CalendarDay")
    DeadlinePolicy = apps.get_model("supervision", "DeadlinePolicy")
    WhistleLimit = apps.get_model("supervision", "WhistleLimit")
    for name, first, last in HOLIDAYS_2026:
        day = first
        while day <= last:
            CalendarDay.objects.update_or_create(date=day, defaults={"kind": "holiday", "name": name})
            day += timedelta(days=1)
    for name, day in WORKDAYS_2026:
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": "workday", "name": name})
    for urgency, time_class, accept, accept_unit, resolve, resolve_unit, note in POLICIES:
        DeadlinePolicy.objects.get_or_create(
            category=None, urgency=urgency, time_class=time_class,
            defaults={"accept_limit": accept, "accept_unit": accept_unit, "resolve_limit": resolve,
                      "resolve_unit": resolve_unit, "note": note},
        )
    for kind, limit, unit in WHISTLE_LIMITS:
        WhistleLimit.objects.get_or_create(kind=kind, defaults={"limit": limit, "unit": unit})


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
