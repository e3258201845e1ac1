"""Hot spots at the compound (小区) level (issue 13): each compound's appeals of the period, equal to a
count of the raw appeals, on the page, in the API and in the Excel ledger; 每月一题 still names a spot or
building, not the compound around it."""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shequ.analytics.rollups import rollup_refresh
from shequ.appeals.models import Appeal
from shequ.core import clock

SH = ZoneInfo("Asia/Shanghai")
FILED = datetime(2026, 11, 10, 9, 0, tzinfo=SH)
LOOKED_AT = datetime(2026, 12, 3, 12, 0, tzinfo=SH)


@pytest.fixture
def compound_history(world, file_appeal):
    with clock.frozen(FILED):
        file_appeal(spot=world.lift_a1)
        file_appeal(spot=world.lift_a1)
        file_appeal(category="water")
        file_appeal(category="noise", place=world.compound_a)  # about the compound, no building
        file_appeal(reporter=world.resident_b, place=world.household_b, category="water")
    rollup_refresh()


def test_compounds_are_a_hot_spot_level_equal_to_the_raw_count(client, world, compound_history):
    raw = Counter(
        Appeal.objects.filter(street_id=world.street.pk)
        .exclude(compound_id=None)
        .values_list("compound_id", flat=True)
    )
    assert raw == {world.compound_a.pk: 4, world.compound_b.pk: 1}
    names = {world.compound_a.pk: "甲小区", world.compound_b.pk: "乙小区"}
    want = {(names[pk], n) for pk, n in raw.items()}
    client.force_login(world.street_leader)
    with clock.frozen(LOOKED_AT):
        api = client.get("/api/v1/analytics/street?month=2026-11").json()
        page = client.get(reverse("analytics:street_dashboard") + "?month=2026-11").content.decode()
        export = client.get(reverse("analytics:street_export") + "?month=2026-11&table=hotspots")
    spots = api["hot_spots"]
    assert {(h["label"], h["count"]) for h in spots if h["level"] == "小区"} == want
    assert spots[0] == {"label": "甲小区", "level": "小区", "count": 4}  # most first
    assert ("甲小区 1号楼", 3) in {(h["label"], h["count"]) for h in spots if h["level"] == "楼栋"}
    assert "<td>小区</td>" in page
    rows = list(
        load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True)
    )
    assert {(r[0], r[2]) for r in rows[1:] if r[1] == "小区"} == want
    # 每月一题 names where the problem is worst: a spot or a building, never the compound
    assert api["topic"]["top_place"] in {"甲小区 1号楼", "甲小区 1号楼 1号电梯"}
