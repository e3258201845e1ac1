"""Station pages through HTTP: the station page in a constant number of queries, the queue and the
need page (contact masked until taken), hours export, courses, 谁在管我家's party block, the API."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from shequ.appeals import services as appeal_services
from shequ.appeals.models import Category
from shequ.stations import services
from shequ.stations.models import Skill

pytestmark = pytest.mark.django_db


def _need(world, i=0):
    return appeal_services.appeal_create(
        reporter=world.resident_b,
        kind="help",
        category=Category.objects.get(code="neighbour-dispute"),
        place=world.household_b,
        text=f"楼上漏水纠纷{i}",
    )


@pytest.fixture
def vol(world):
    return services.volunteer_join(user=world.resident_a2, station=world.mutual_aid, skills=[Skill.MEDIATION])


def test_station_page_constant_queries(client, world, vol):
    client.force_login(world.resident_a)
    url = reverse("stations:detail", args=[world.mutual_aid.pk])
    counts = []
    for n in (2, 25):
        for i in range(n):
            need = _need(world, i)
            services.need_take(appeal=need, user=world.resident_a2)
            services.hours_log(appeal=need, user=world.resident_a2, minutes=30)
            services.need_resolve(appeal=need, user=world.resident_a2, text="调解好了")
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url)
        assert r.status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
    assert "100%" in r.content.decode()


def test_queue_and_need_page_mask_until_taken(client, world, vol):
    need = _need(world)
    client.force_login(world.resident_a2)
    assert need.text in client.get(reverse("stations:needs", args=[world.mutual_aid.pk])).content.decode()
    page = client.get(reverse("stations:need", args=[need.pk])).content.decode()
    assert "13800000002" not in page and "138****0002" in page
    client.post(reverse("stations:need", args=[need.pk]), {"action": "take"})
    page = client.get(reverse("stations:need", args=[need.pk])).content.decode()
    assert "13800000002" in page
    r = client.post(
        reverse("stations:need", args=[need.pk]),
        {"action": "hours", "minutes": "45", "note": "上门"},
        follow=True,
    )
    assert "服务时长已登记" in r.content.decode()
    ws = load_workbook(io.BytesIO(client.get(reverse("stations:my_hours_export")).content)).active
    assert ws.max_row == 2 and ws["E2"].value == 45
    # Another resident (not a volunteer) sees neither the queue nor the need.
    client.force_login(world.resident_a)
    assert client.get(reverse("stations:needs", args=[world.mutual_aid.pk])).status_code == 403
    assert client.get(reverse("stations:need", args=[need.pk])).status_code == 404
    assert client.get(reverse("stations:hours_export", args=[world.mutual_aid.pk])).status_code == 403


def test_who_page_shows_the_branch_and_party_members(client, world, vol):
    branch = services.branch_create(
        actor=world.party_secretary, party_org=world.party_org, place=world.compound_a, name="甲小区党支部"
    )
    services.party_member_record(actor=world.party_secretary, branch=branch, user=world.resident_a2)
    client.force_login(world.resident_a2)
    body = client.get(reverse("portal:who")).content.decode()
    assert "甲小区党支部" in body and "张**" in body
    client.force_login(world.party_secretary)
    assert "甲小区党支部" in client.get(reverse("stations:party")).content.decode()
    r = client.post(
        reverse("stations:branch", args=[branch.pk]),
        {"phone": world.resident_a.phone, "willing_to_help": "1"},
    )
    assert r.status_code == 302 and branch.members.count() == 2
    client.force_login(world.resident_a)
    assert client.get(reverse("stations:party")).status_code == 403
    assert client.get(reverse("stations:branch", args=[branch.pk])).status_code == 404


def _token(client, user) -> dict:
    r = client.post(
        "/api/v1/auth/login",
        {"phone": user.phone, "password": "shequ-test-pass"},
        content_type="application/json",
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}


def test_api_take_and_hours(client, world, vol):
    need = _need(world)
    auth = _token(client, world.resident_a2)
    r = client.get(f"/api/v1/needs/{need.pk}", **auth)
    assert r.status_code == 200 and r.json()["contact"]["masked"] is True
    r = client.post(
        f"/api/v1/needs/{need.pk}/hours", {"minutes": 30}, content_type="application/json", **auth
    )
    assert r.status_code == 403
    r = client.post(f"/api/v1/needs/{need.pk}/take", **auth)
    assert r.status_code == 200 and r.json()["contact"]["phone"] == "13800000002"
    r = client.post(
        f"/api/v1/needs/{need.pk}/hours", {"minutes": 30}, content_type="application/json", **auth
    )
    assert r.status_code == 201
    r = client.get(f"/api/v1/stations/{world.mutual_aid.pk}", **auth)
    assert r.json()["record"]["received"] == 1
    assert (
        client.get(
            f"/api/v1/stations/{world.mutual_aid.pk}/needs", **_token(client, world.resident_a)
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("lang", "range_error", "bad_day"),
    [
        ("zh-hans", "服务日期应在接单之后、今天之前。", "服务日期：请从列表中选择日期。"),
        ("en", "The date must be between taking the need and today.", "Choose a date from the list."),
    ],
)
def test_hours_form_picks_the_day_from_a_list_and_keeps_the_input_after_an_error(
    client, world, vol, lang, range_error, bad_day
):
    """#14: the service day is one of our Chinese lists (today first), not the native date picker."""
    from shequ.core import clock
    from shequ.core.widgets import today

    need = _need(world)
    services.need_take(appeal=need, user=world.resident_a2)
    client.force_login(world.resident_a2)
    client.cookies["django_language"] = lang
    url = reverse("stations:need", args=[need.pk])
    page = client.get(url).content.decode()
    assert 'type="date"' not in page and f'<option value="{today().isoformat()}" selected>' in page
    before_taking = (today() - timedelta(days=3)).isoformat()
    post = {"action": "hours", "minutes": "45", "served_on": before_taking, "note": "陪同调解"}
    r = client.post(url, post)
    body = r.content.decode()
    assert r.status_code == 422 and range_error in body and 'class="field field-error"' in body
    assert f'<option value="{before_taking}" selected>' in body
    assert 'value="45"' in body and 'value="陪同调解"' in body
    r = client.post(url, {**post, "served_on": "2026-02-30"})
    assert r.status_code == 422 and bad_day in r.content.decode()
    with clock.frozen(clock.now() + timedelta(days=1)):  # the next day, logging the day it was taken
        r = client.post(url, {**post, "served_on": (today() - timedelta(days=1)).isoformat()})
    assert r.status_code == 302
    log = need.service_logs.get()
    assert log.minutes == 45 and log.note == "陪同调解" and log.served_on == today()
