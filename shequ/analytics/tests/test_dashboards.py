"""The leaders' dashboards: who sees what (each role), the figures, repeat problems, exports."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from shequ.analytics.dashboards import Filters, repeat_problems, spikes
from shequ.analytics.rollups import rollup_refresh
from shequ.appeals.services import appeal_transition
from shequ.core import clock

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=SH)
LOOKED_AT = datetime(2026, 12, 3, 12, 0, tzinfo=SH)  # the day the dashboard is opened


@pytest.fixture
def lift_history(world, file_appeal):
    """The lift of building A1 fails, is repaired, and fails again within days — three times."""
    appeals = []
    when = T0
    for _ in range(3):
        with clock.frozen(when):
            a = file_appeal(spot=world.lift_a1)
        with clock.frozen(when + timedelta(hours=1)):
            a = appeal_transition(appeal=a, actor=world.handler_x, action="accept")
            a = appeal_transition(appeal=a, actor=world.handler_x, action="resolve", text="修好了")
        appeals.append(a)
        when += timedelta(days=5)
    return appeals


def test_roles_see_only_their_area(client, world, lift_history):
    street = reverse("analytics:street_dashboard")
    community = reverse("analytics:community_dashboard")
    assert client.get(street).status_code == 302  # login first
    for user, street_code, community_code in (
        (world.street_leader, 200, 200),
        (world.observer, 200, 200),  # an observer of the street office reads
        (world.party_secretary, 403, 200),  # a community leader: their community only
        (world.rc_staff, 403, 200),
        (world.resident_a, 403, 403),
        (world.handler_x, 403, 403),
        (world.building_leader, 403, 403),  # a resident volunteer is not a leader
        (world.outsider, 403, 403),
    ):
        client.force_login(user)
        assert client.get(street + "?month=2026-11").status_code == street_code, user.real_name
        assert client.get(community + "?month=2026-11").status_code == community_code, user.real_name
        # the API and the Excel ledgers are scoped exactly like the pages
        api = client.get("/api/v1/analytics/street?month=2026-11")
        assert api.status_code == street_code, user.real_name
        api = client.get("/api/v1/analytics/community?month=2026-11")
        assert api.status_code == community_code, user.real_name
        if community_code == 200:
            assert api.json()["area_id"] == world.community.pk, user.real_name
        for level, code in (("street", street_code), ("community", community_code)):
            export = client.get(reverse(f"analytics:{level}_export") + "?month=2026-11&table=parties")
            assert export.status_code == code, (user.real_name, level)
    client.force_login(world.party_secretary)
    assert client.get(community + f"?community={world.street.pk}").status_code == 404


def test_a_leader_never_sees_another_area(client, world, lift_history):
    """A street leader gets 404 for another street and its communities (page, API and export alike); a
    community leader for a neighbouring community of the same street."""
    from shequ.directory import places as dplaces
    from shequ.directory.models import PlaceKind

    other_street = dplaces.place_create(kind=PlaceKind.STREET, name="别的街道", parent=world.district)
    far = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="别的社区", parent=other_street)
    near = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="隔壁社区", parent=world.street)
    cases = (
        (world.street_leader, "street", other_street, 404),
        (world.street_leader, "community", far, 404),
        (world.street_leader, "community", near, 200),  # a community of their own street
        (world.party_secretary, "community", near, 404),
        (world.rc_staff, "community", near, 404),
    )
    for user, level, place, code in cases:
        client.force_login(user)
        query = f"?{level}={place.pk}&month=2026-11"
        for url in (
            reverse(f"analytics:{level}_dashboard") + query,
            f"/api/v1/analytics/{level}" + query,
            reverse(f"analytics:{level}_export") + query + "&table=categories",
        ):
            assert client.get(url).status_code == code, (user.real_name, url)


def test_street_dashboard_shows_the_figures(client, world, lift_history, django_assert_max_num_queries):
    client.force_login(world.street_leader)
    url = reverse("analytics:street_dashboard") + "?month=2026-11&span=1"
    client.get(url)
    with django_assert_max_num_queries(35):  # a fixed number of grouped reads, whatever the history
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "测试社区" in body and "甲物业" in body and "1号电梯" in body
    assert 'data-kpi="created"' in body and "<svg" in body and "查看数据表" in body
    assert "再次报修 2 次" in body  # the second and the third failure came within 30 days
    assert client.get(url.replace("span=1", "span=7")).status_code == 422
    assert client.get(url.replace("2026-11", "2026-13")).status_code == 422


def test_repeat_problems_find_the_lift_that_failed_three_times(world, lift_history):
    rollup_refresh()
    found = repeat_problems(Filters(street_id=world.street.pk, month="2026-11"))
    assert len(found) == 1
    lift = found[0]
    assert lift.spot_id == world.lift_a1.pk and lift.repeats == 2 and len(lift.history) == 3
    assert "1号电梯" in lift.label


def test_excel_ledgers(client, world, lift_history):
    client.force_login(world.street_leader)
    url = reverse("analytics:street_export")
    r = client.get(url + "?month=2026-11&table=appeals")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "提交时间", "类型") and len(rows) == 4
    assert rows[1][1] == datetime(2026, 11, 2, 9, 0)  # local time, as a real Excel date
    assert ws.column_dimensions["A"].width == 18
    # the same filters: another category has none
    r = client.get(url + "?month=2026-11&table=appeals&source=hotline")
    assert len(list(load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows())) == 1
    for table in (
        "parties",
        "communities",
        "categories",
        "times",
        "hotspots",
        "repeats",
        "hotline",
        "hotline_communities",
        "trend",
        "weekly",
    ):
        r = client.get(url + f"?month=2026-11&table={table}")
        assert r.status_code == 200, table
        assert load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.max_row >= 1
    assert client.get(url + "?table=nope").status_code == 404
    client.force_login(world.resident_a)
    assert client.get(url + "?month=2026-11").status_code == 403


def test_no_spike_without_a_baseline_jump(world, lift_history):
    rollup_refresh()
    assert spikes(street_id=world.street.pk, today=T0.date() + timedelta(days=12)) == []


def test_api_gives_every_figure_of_the_page(client, world, lift_history):
    client.force_login(world.party_secretary)
    r = client.get("/api/v1/analytics/community?month=2026-11")
    assert r.status_code == 200, r.content
    data = r.json()
    kpis = {k["key"]: k for k in data["kpis"]}
    assert kpis["created"]["value"] == 3 and kpis["resolved"]["value"] == 3
    assert data["repeats"][0]["repeats"] == 2 and len(data["repeats"][0]["history"]) == 3
    assert data["hot_spots"][0]["count"] == 3 and data["trend"]["periods"][-1] == "2026-11"
    assert [p["label"] for p in data["parties"]] == ["甲物业"]
    bad = client.get("/api/v1/analytics/community?month=2026-11&span=5")
    assert bad.status_code == 422 and bad.json()["error"]["message_en"]
    assert client.get(f"/api/v1/analytics/community?community={world.street.pk}").status_code == 404


@pytest.mark.parametrize("level", ["street", "community"])
def test_dashboard_figures_are_a_few_grouped_reads_of_the_rollups(world, lift_history, level):
    """The figures come from the month / day rows and the facts in a fixed number of queries; the appeals
    table is read only for the numbers of the repeat problems' history (by primary key), never scanned."""
    from shequ.analytics import selectors
    from shequ.analytics.rollups import rollups_fresh

    user = world.street_leader
    rollups_fresh()
    # the clock frozen: which reads a dashboard needs depends on today (an early-warning week that
    # crosses into the next month reads it too), and the pins below are for this day
    with clock.frozen(LOOKED_AT), CaptureQueriesContext(connection) as ctx:
        d = selectors.dashboard(user=user, level=level, area_id=None, params={"month": "2026-11"})
    assert d.tiles and d.repeats
    sqls = [q["sql"] for q in ctx.captured_queries]
    on_appeals = [q for q in sqls if 'FROM "appeals_appeal"' in q]
    assert len(on_appeals) == 1 and '"appeals_appeal"."id" IN' in on_appeals[0], on_appeals
    # one grouped read of the month rows serves the tiles, trend, the three rankings and the hotline measure
    assert sum("analytics_monthlyrollup" in q for q in sqls) == 1
    # the day rows twice: the early warning's weeks and the weekly trend's 12 ISO weeks (`weeks.weekly_trend`)
    assert sum("analytics_dailyrollup" in q for q in sqls) == 2
    # pinned: the 13 of test_percentiles, plus the viewer's roles read the first time (3), the spot names
    # and the appeals' numbers of the lift's history (2), the weekly trend (1); the community's: who may see
    # it is 4 reads, and no list of communities
    assert len(sqls) == (19 if level == "street" else 20), f"{len(sqls)} " + "\n".join(sqls)
