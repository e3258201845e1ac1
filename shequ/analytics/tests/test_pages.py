"""The scorecard, the league table (fair composite, scoped to the viewer's streets) and the rates API."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shequ.appeals.services import appeal_transition
from shequ.core import clock
from shequ.directory import parties as dparties
from shequ.directory import places as dplaces
from shequ.directory.models import PartyKind, PlaceKind

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=SH)


@pytest.fixture
def appeal(world, file_appeal):
    with clock.frozen(T0):
        return file_appeal(urgency="emergency")


def _accept(world, appeal, minutes=5):
    with clock.frozen(T0 + timedelta(minutes=minutes)):
        appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")


def test_party_page_shows_rates(client, world, appeal, django_assert_max_num_queries):
    _accept(world, appeal)
    url = reverse("analytics:party", args=[world.company_x.pk])
    assert client.get(url).status_code == 302
    client.force_login(world.resident_a)
    client.get(url)  # the first read rolls the new events up
    with django_assert_max_num_queries(20):
        response = client.get(url + "?month=2026-11")
    body = response.content.decode()
    assert response.status_code == 200 and "甲物业" in body and "100%" in body and "响应率" in body
    assert "样本不足" in body
    assert client.get(reverse("analytics:party", args=[99999])).status_code == 404
    assert client.get(url + "?month=bad").status_code == 200


def test_league_ranks_finished_work_above_unfinished(
    client, world, file_appeal, django_assert_max_num_queries
):
    """#14: a company with one accepted but unresolved, unrated appeal used to score 100 % and rank
    first; now a missing rate counts as 0 and too few ratings rank after enough ratings."""
    with clock.frozen(T0):
        a = file_appeal(reporter=world.resident_a, place=world.household_a)
    _accept(world, a)  # 甲物业: accepted in time, nothing else
    for i in range(3):  # 乙物业: three appeals resolved and rated 满意
        with clock.frozen(T0 + timedelta(minutes=i)):
            b = file_appeal(reporter=world.resident_b, place=world.household_b)
        with clock.frozen(T0 + timedelta(minutes=10 + i)):
            b = appeal_transition(appeal=b, actor=world.handler_y, action="accept")
            b = appeal_transition(appeal=b, actor=world.handler_y, action="resolve", text="修好了")
            appeal_transition(
                appeal=b, actor=world.resident_b, action="rate", solved=True, rating="satisfied"
            )
    client.force_login(world.resident_b)
    url = reverse("analytics:league") + "?month=2026-11"
    client.get(url)
    with django_assert_max_num_queries(14):
        body = client.get(url).content.decode()
    assert body.index("乙物业") < body.index("甲物业")
    assert "样本不足" in body and "评价少于 3 条" in body
    assert client.get(reverse("analytics:league") + "?kind=nonsense&month=bad").status_code == 200
    rows = client.get("/api/v1/analytics/league?month=2026-11").json()["items"]
    assert [r["party"] for r in rows] == ["乙物业", "甲物业"]
    assert rows[0]["composite"] == pytest.approx(1.0) and rows[1]["composite"] is None
    assert rows[1]["sufficient"] is False and rows[1]["min_rated"] == 3


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    return list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )


def _rounded(row) -> tuple:
    return tuple(round(v, 9) if isinstance(v, float) else v for v in row)  # Excel keeps 15 digits


def test_league_exports_the_rows_of_the_page(client, world, file_appeal, django_assert_max_num_queries):
    """The ledger of the league table is the page's reading: same order, same composite (the worst-case
    score where the page shows 样本不足), same filters (kind, month, community) and the same scope."""
    for i in range(3):  # 乙物业: three appeals resolved and rated; 甲物业: one accepted, unrated
        with clock.frozen(T0 + timedelta(minutes=i)):
            b = file_appeal(reporter=world.resident_b, place=world.household_b)
        with clock.frozen(T0 + timedelta(minutes=10 + i)):
            b = appeal_transition(appeal=b, actor=world.handler_y, action="accept")
            b = appeal_transition(appeal=b, actor=world.handler_y, action="resolve", text="修好了")
            appeal_transition(
                appeal=b, actor=world.resident_b, action="rate", solved=True, rating="satisfied"
            )
    with clock.frozen(T0):
        a = file_appeal(reporter=world.resident_a, place=world.household_a)
    _accept(world, a)
    other = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="邻社区", parent=world.street)
    dparties.party_create(kind=PartyKind.PROPERTY_COMPANY, name="丙物业", code="t-z", home=other)
    client.force_login(world.street_leader)
    query = "?month=2026-11&kind=property_company"
    page = client.get(reverse("analytics:league") + query)
    assert (
        'href="/analytics/league/export.xlsx?kind=property_company&amp;month=2026-11"'
        in page.content.decode()
    )
    export = reverse("analytics:league_export") + query
    with django_assert_max_num_queries(10):  # session, user, scope, parties, rates (the page: 14)
        rows = _sheet(client.get(export))
    assert rows[0] == ("#", "名称", "综合得分", "样本不足", "响应率", "解决率", "满意率", "派单", "评价")
    expected = [
        (
            i,
            p.name,
            r.composite if r.sufficient else r.worst_case_score,
            None if r.sufficient else "是",
            r.response_rate,
            r.resolution_rate,
            r.satisfaction_rate,
            r.dispatched,
            r.rated,
        )
        for i, (p, r) in enumerate(page.context["rows"], 1)
    ]
    assert [_rounded(r) for r in rows[1:]] == [_rounded(r) for r in expected] and [
        r[1] for r in rows[1:]
    ] == ["乙物业", "甲物业", "丙物业"]
    assert rows[1][2] == pytest.approx(1.0) and rows[1][3] is None
    assert rows[2][3] == "是" and rows[2][2] == pytest.approx(0.3)  # response 100 % × 0.3, the rest 0
    assert "30%" in page.content.decode()  # the page's chip for 甲物业's worst-case score
    # the community filter: the page and the ledger narrow alike
    narrowed = client.get(reverse("analytics:league") + query + f"&community={other.pk}")
    assert [p.name for p, _ in narrowed.context["rows"]] == ["丙物业"]
    assert [r[1] for r in _sheet(client.get(export + f"&community={other.pk}"))[1:]] == ["丙物业"]
    assert client.get(export + "&community=x").status_code == 422  # zh + en, test_league_communities.py
    # a bad kind or month falls back like the page
    assert len(_sheet(client.get(reverse("analytics:league_export") + "?kind=nonsense&month=bad"))) == 4
    # the scope of the page (scope.viewer_street_ids): a resident their street, an outsider (no place at
    # all) every street, as the page gives them; anonymous → the login page
    far_street = dplaces.place_create(kind=PlaceKind.STREET, name="别的街道", parent=world.district)
    far = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="别的社区", parent=far_street)
    dparties.party_create(kind=PartyKind.PROPERTY_COMPANY, name="外街物业", code="t-far", home=far)
    for user, sees_far in ((world.resident_b, False), (world.outsider, True)):
        client.force_login(user)
        names = [p.name for p, _ in client.get(reverse("analytics:league") + query).context["rows"]]
        assert [r[1] for r in _sheet(client.get(export))[1:]] == names and ("外街物业" in names) is sees_far
        assert "乙物业" in names
    client.logout()
    assert client.get(export).status_code == 302


def test_league_is_limited_to_the_viewers_street(client, world):
    other_street = dplaces.place_create(kind=PlaceKind.STREET, name="别的街道", parent=world.district)
    other_comm = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="别的社区", parent=other_street)
    dparties.party_create(kind=PartyKind.PROPERTY_COMPANY, name="外街物业", code="t-far", home=other_comm)
    client.force_login(world.street_leader)
    body = client.get(reverse("analytics:league")).content.decode()
    assert "甲物业" in body and "外街物业" not in body
    names = [r["party"] for r in client.get("/api/v1/analytics/league").json()["items"]]
    assert "外街物业" not in names and "甲物业" in names
    assert client.get("/api/v1/analytics/league?kind=bogus").status_code == 422


def test_party_rates_endpoint(client, world, appeal, django_assert_max_num_queries):
    _accept(world, appeal, minutes=10)
    client.force_login(world.resident_a)
    client.get(f"/api/v1/parties/{world.company_x.pk}/rates")
    with django_assert_max_num_queries(8):
        r = client.get(f"/api/v1/parties/{world.company_x.pk}/rates?month=2026-11")
    assert r.status_code == 200
    data = r.json()
    assert data["response_rate"] == 1.0 and data["counts"]["dispatched"] == 1
    assert data["weights"] == [0.3, 0.35, 0.35] and data["composite"] is None and data["sufficient"] is False
    assert client.get(f"/api/v1/parties/{world.company_x.pk}/rates?month=11-2026").status_code == 422
    assert client.get("/api/v1/parties/999999/rates").status_code == 404
    client.logout()
    assert client.get(f"/api/v1/parties/{world.company_x.pk}/rates").status_code == 401
