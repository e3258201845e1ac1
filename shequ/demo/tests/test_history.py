"""The demo's year of history gives every dashboard something to show, and the article's story."""

from __future__ import annotations

from django.test import override_settings

from shequ.analytics.dashboards import Filters, hotline_vs_shequ, repeat_problems, volume_trend
from shequ.analytics.models import HotlineImport, HotlineOrder
from shequ.analytics.rates import recent_months
from shequ.appeals.models import Category
from shequ.demo.history import LATEST_FILE, MONTHS, REFORM_MONTHS_AGO, demo_history_load
from shequ.demo.services import demo_load
from shequ.directory.models import Place


def test_a_year_of_history_with_the_reform_visible(db):
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        demo_load(reset=True, content=False)
    made = demo_history_load()
    assert made["appeals"] > 2000 and made["hotline_orders"] > 100
    assert demo_history_load() == {"appeals": 0}  # once
    # this week's 12345 file went through the real importer: building, community, and an address that
    # matches nothing — filed all the same, waiting in 上河村's dispatch queue with its address text
    latest = HotlineImport.objects.get(filename=LATEST_FILE)
    assert latest.ok and made["file_imported"] == 3, latest.report
    assert (latest.report["matched"], latest.report["unmatched"]) == (2, 1), latest.report
    nowhere = HotlineOrder.objects.get(last_import=latest, match="none")
    assert nowhere.appeal is not None and nowhere.appeal.status == "submitted"
    assert nowhere.appeal.dispatcher is not None and "曙光路北侧绿地" in nowhere.appeal.text
    shc = Place.objects.get(name="上河村社区")
    months = recent_months(MONTHS)
    rows = hotline_vs_shequ(
        Filters(street_id=shc.street_id, community_id=shc.pk, month=months[-2]), months=12
    )
    reform = len(rows) - REFORM_MONTHS_AGO + 1  # index of the reform month in the 12 rows up to last month
    before = sum(r.hotline for r in rows[:reform]) / reform
    after = sum(r.hotline for r in rows[reform:]) / (len(rows) - reform)
    assert before > 15 and after < before * 0.4, (before, after)  # 上河村's 12345 calls fall by over 60 %
    assert sum(r.community_matters for r in rows) > 0.8 * sum(r.hotline for r in rows)
    # heating in winter, lifts all year; 上河村's old lifts fail again and again
    trend = volume_trend(Filters(street_id=shc.street_id, month=months[-2]), months=12)
    assert trend.series and max(trend.totals) > 0
    codes = dict(Category.objects.values_list("code", "pk"))
    per_month = {}
    for code in ("heating", "lift"):
        t = volume_trend(
            Filters(street_id=shc.street_id, month=months[-2], category_id=codes[code]), months=12
        )
        per_month[code] = dict(zip((int(m[5:]) for m in t.periods), t.totals, strict=True))
    heating = per_month["heating"]
    winter = sum(heating[m] for m in (12, 1, 2)) / 3
    summer = sum(heating[m] for m in (6, 7, 8)) / 3
    assert winter > 3 * summer, heating  # heating in winter
    assert min(per_month["lift"].values()) > 0, per_month["lift"]  # lifts all year
    repeats = repeat_problems(
        Filters(street_id=shc.street_id, community_id=shc.pk, month=months[-2], span=12)
    )
    assert repeats and repeats[0].repeats >= 3 and "电梯" in repeats[0].label
