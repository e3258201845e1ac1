"""API: whistle / report_in / report_back / helper, party rates, escalations; permissions."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shequ.core import clock
from shequ.core.jobs import run_once
from shequ.directory import parties as dparties
from shequ.directory.models import PartyKind, Role

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=SH)


@pytest.fixture
def setup(world, file_appeal):
    from shequ.conftest import make_user

    fgj = dparties.party_create(
        kind=PartyKind.DEPARTMENT, name="区房管局", code="t-fgj", home=world.district, places=[world.district]
    )
    zjw_staff = make_user("13700000001", "住建委小王")
    fgj_staff = make_user("13700000002", "房管局小李")
    dparties.membership_create(user=zjw_staff, party=world.dept_housing, role=Role.STAFF)
    dparties.membership_create(user=fgj_staff, party=fgj, role=Role.STAFF)
    with clock.frozen(T0):
        appeal = file_appeal(urgency="emergency")
    return {"appeal": appeal, "fgj": fgj, "zjw_staff": zjw_staff, "fgj_staff": fgj_staff}


def test_whistle_then_each_department_reports_in(client, world, setup):
    appeal = setup["appeal"]
    client.force_login(world.party_secretary)
    with clock.frozen(T0):
        r = client.post(
            f"/api/v1/appeals/{appeal.pk}/whistle",
            {
                "kind": "emergency",
                "departments": [world.dept_housing.pk, setup["fgj"].pk],
                "reason": "电梯困人",
            },
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="w-1",
        )
    assert r.status_code == 201, r.content
    body = r.json()
    assert [s["department"] for s in body["summonses"]] == ["区住建委", "区房管局"]
    # a retried POST with the same key does not blow twice
    with clock.frozen(T0):
        again = client.post(
            f"/api/v1/appeals/{appeal.pk}/whistle",
            {"kind": "emergency", "departments": [world.dept_housing.pk], "reason": "电梯困人"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="w-1",
        )
    assert again.json()["id"] == body["id"]

    client.force_login(setup["zjw_staff"])
    with clock.frozen(T0 + timedelta(minutes=12)):
        r = client.post(
            f"/api/v1/appeals/{appeal.pk}/report_in", {"text": "已到场"}, content_type="application/json"
        )
    assert r.status_code == 200, r.content
    client.force_login(setup["fgj_staff"])
    with clock.frozen(T0 + timedelta(minutes=40)):
        client.post(f"/api/v1/appeals/{appeal.pk}/report_in", {}, content_type="application/json")
        r = client.post(
            f"/api/v1/appeals/{appeal.pk}/report_back", {"text": "已协调"}, content_type="application/json"
        )
    rows = {s["department"]: s for s in r.json()["summonses"]}
    assert rows["区住建委"]["minutes_to_report_in"] == 12 and rows["区住建委"]["on_time"] is True
    assert rows["区房管局"]["minutes_to_report_in"] == 40 and rows["区房管局"]["on_time"] is False
    assert rows["区房管局"]["acted"] == "已协调"
    # the reporter sees who came and how fast (public)
    client.force_login(world.resident_a)
    board = client.get(f"/api/v1/appeals/{appeal.pk}/whistles").json()["items"]
    assert board[0]["summonses"][0]["reported_in_at"]
    # and the timeline shows it
    detail = client.get(f"/api/v1/appeals/{appeal.pk}").json()
    kinds = [e["kind"] for e in detail["events"]]
    assert "whistle_blown" in kinds and kinds.count("reported_in") == 2


@pytest.mark.parametrize(
    "who,status",
    [("handler_x", 403), ("resident_a", 403), ("resident_b", 403), ("outsider", 404), ("observer", 403)],
)
def test_who_may_not_blow(client, world, setup, who, status):
    client.force_login(getattr(world, who))
    r = client.post(
        f"/api/v1/appeals/{setup['appeal'].pk}/whistle",
        {"kind": "routine", "departments": [world.dept_housing.pk], "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == status, r.content
    assert r.json()["error"]["code"]


def test_unsummoned_department_cannot_report_in(client, world, setup):
    client.force_login(setup["zjw_staff"])
    r = client.post(f"/api/v1/appeals/{setup['appeal'].pk}/report_in", {}, content_type="application/json")
    assert r.status_code == 404
    assert client.get(f"/api/v1/appeals/{setup['appeal'].pk}/whistles").status_code == 404


def test_invalid_whistle_is_422(client, world, setup):
    client.force_login(world.party_secretary)
    r = client.post(
        f"/api/v1/appeals/{setup['appeal'].pk}/whistle",
        {"kind": "loud", "departments": [world.dept_housing.pk], "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["error"]["message_en"]


def test_helper_over_the_api(client, world, setup):
    client.force_login(world.env_director)
    r = client.post(
        f"/api/v1/appeals/{setup['appeal'].pk}/helper",
        {"company_id": world.company_y.pk},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["helper_party"] == "乙物业" and r.json()["first_party_id"] == world.company_x.pk
    client.force_login(world.handler_x)
    r = client.post(
        f"/api/v1/appeals/{setup['appeal'].pk}/helper",
        {"company_id": world.company_y.pk},
        content_type="application/json",
    )
    assert r.status_code == 403


def test_escalated_list_for_each_level(client, world, setup):
    with clock.frozen(T0 + timedelta(minutes=31)):
        run_once(now=clock.now())
    client.force_login(world.env_director)
    rows = client.get("/api/v1/supervision/escalated").json()["items"]
    assert [r["id"] for r in rows] == [setup["appeal"].pk] and rows[0]["escalation_level"] == 1
    client.force_login(world.party_secretary)
    assert client.get("/api/v1/supervision/escalated").json()["items"] == []
    # the appeals API shows the level and the party reached
    client.force_login(world.env_director)
    detail = client.get(f"/api/v1/appeals/{setup['appeal'].pk}").json()
    assert detail["escalation_level"] == 1 and detail["escalated_to"]["id"] == world.env_committee.pk
