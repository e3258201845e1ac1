"""The hotline measure per community on a street's dashboard (issue 13, "solved in the community vs reached
the hotline"): for each community of the street, the appeals filed inside shequ against the 12345 orders
about it, those that were community matters, the previous period and the 12-month hotline trend — equal to
counts of the raw appeals on the page, in the API and in the Excel ledger, with no extra query."""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shequ.analytics.dashboards import COMMUNITY_MATTER_ROOTS
from shequ.analytics.rollups import rollup_refresh
from shequ.appeals.models import Appeal, Source
from shequ.core import clock
from shequ.directory import places as dplaces
from shequ.directory.models import PlaceKind

SH = ZoneInfo("Asia/Shanghai")
OCTOBER = datetime(2026, 10, 12, 9, 0, tzinfo=SH)
NOVEMBER = datetime(2026, 11, 10, 9, 0, tzinfo=SH)
LOOKED_AT = datetime(2026, 12, 3, 12, 0, tzinfo=SH)


@pytest.fixture
def second(world):
    """A second community of the street, with a compound in it."""
    community = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="第二社区", parent=world.street)
    compound = dplaces.place_create(kind=PlaceKind.COMPOUND, name="丙小区", parent=community)
    return community, compound


@pytest.fixture
def history(world, file_appeal, second):
    _community, compound = second
    hotline = {"source": Source.HOTLINE, "filed_by": world.street_leader}
    with clock.frozen(OCTOBER):
        file_appeal(place=compound, category="lift", **hotline)  # the previous period
        file_appeal(place=compound, category="lift", **hotline)
        file_appeal(category="lift", **hotline)
    with clock.frozen(NOVEMBER):
        file_appeal(place=compound, category="lift", **hotline)  # a community matter (设施报修)
        file_appeal(place=compound, category="noise", **hotline)  # not one (环境秩序)
        file_appeal(
            place=compound, category="water", source=Source.PATROL, filed_by=world.street_leader
        )  # inside shequ
        file_appeal(category="lift", **hotline)
        file_appeal(category="parking", **hotline)  # 停车与车棚: a community matter
        file_appeal(category="water")
        file_appeal(category="water")
    rollup_refresh()


def _raw(street_id: int, start: datetime, end: datetime) -> dict[int, Counter]:
    """Per community: in shequ, hotline, hotline about community matters — counted on the raw appeals."""
    out: dict[int, Counter] = {}
    rows = Appeal.objects.filter(street_id=street_id, created_at__gte=start, created_at__lt=end).values_list(
        "community_id", "source", "category__code", "category__parent__code"
    )
    for community, source, code, parent in rows:
        c = out.setdefault(community, Counter())
        if source == Source.HOTLINE:
            c["hotline"] += 1
            c["matters"] += (parent or code) in COMMUNITY_MATTER_ROOTS
        else:
            c["in_shequ"] += 1
    return out


def test_each_community_against_the_hotline_equals_the_raw_count(client, world, second, history):
    community2, _ = second
    nov = _raw(world.street.pk, datetime(2026, 11, 1, tzinfo=SH), datetime(2026, 12, 1, tzinfo=SH))
    octo = _raw(world.street.pk, datetime(2026, 10, 1, tzinfo=SH), datetime(2026, 11, 1, tzinfo=SH))
    assert nov[community2.pk] == Counter(hotline=2, matters=1, in_shequ=1)
    assert nov[world.community.pk] == Counter(hotline=2, matters=2, in_shequ=2)
    client.force_login(world.street_leader)
    with clock.frozen(LOOKED_AT):
        api = client.get("/api/v1/analytics/street?month=2026-11").json()
        page = client.get(reverse("analytics:street_dashboard") + "?month=2026-11").content.decode()
        export = client.get(reverse("analytics:street_export") + "?month=2026-11&table=hotline_communities")
        community = client.get(f"/api/v1/analytics/community?community={community2.pk}&month=2026-11").json()
    rows = {r["community_id"]: r for r in api["hotline_by_community"]}
    assert set(rows) == {world.community.pk, community2.pk}  # every community of the street
    periods = api["trend"]["periods"]
    for pk, r in rows.items():
        assert (r["in_shequ"], r["hotline"], r["community_matters"]) == (
            nov[pk]["in_shequ"],
            nov[pk]["hotline"],
            nov[pk]["matters"],
        )
        assert r["previous_hotline"] == octo[pk]["hotline"]
        by_month = dict(zip(periods, r["hotline_by_month"], strict=True))
        assert (by_month["2026-10"], by_month["2026-11"]) == (octo[pk]["hotline"], nov[pk]["hotline"])
        assert sum(r["hotline_by_month"]) == octo[pk]["hotline"] + nov[pk]["hotline"]
    assert rows[community2.pk]["community_matter_share"] == 0.5
    assert rows[world.community.pk]["community_matter_share"] == 1.0
    # the source filter narrows the page's other figures, never the comparison of sources
    with clock.frozen(LOOKED_AT):
        app_only = client.get("/api/v1/analytics/street?month=2026-11&source=app").json()
    assert app_only["hotline_by_community"] == api["hotline_by_community"]
    # a community's own dashboard has the area measure, not the per-community table
    assert community["hotline_by_community"] == []
    assert 'id="hotline-communities"' in page and "第二社区" in page
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:6] == (
        "社区",
        "社区内反映",
        "12345工单",
        "上期12345工单",
        "其中社区事务",
        "社区事务占比",
    )
    assert list(table[0][6:]) == periods
    got = {r[0]: r[1:5] for r in table[1:]}
    assert got["第二社区"] == (1, 2, 2, 1)
    assert got["测试社区"] == (2, 2, 1, 2)


def test_a_community_leader_cannot_open_the_street_comparison(client, world, history):
    client.force_login(world.party_secretary)
    with clock.frozen(LOOKED_AT):
        r = client.get(reverse("analytics:street_export") + "?month=2026-11&table=hotline_communities")
        api = client.get("/api/v1/analytics/street?month=2026-11")
    assert r.status_code in (403, 404)
    assert api.status_code in (403, 404)
