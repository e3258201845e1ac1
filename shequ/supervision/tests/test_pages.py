"""Pages: each URL's permissions, and what the pages show."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from shequ.appeals.models import Appeal
from shequ.core import clock
from shequ.core.jobs import run_once
from shequ.supervision import services
from shequ.supervision.models import Summons, Whistle

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=SH)


@pytest.fixture
def appeal(world, file_appeal):
    with clock.frozen(T0):
        return file_appeal(urgency="emergency")


@pytest.fixture
def dept_staff(world):
    from shequ.conftest import make_user
    from shequ.directory import parties as dparties
    from shequ.directory.models import Role

    user = make_user("13700000001", "住建委小王")
    dparties.membership_create(user=user, party=world.dept_housing, role=Role.STAFF)
    return user


def urls(world, appeal):
    return [
        reverse("supervision:escalated"),
        reverse("supervision:summonses"),
        reverse("supervision:whistle", args=[appeal.pk]),
        reverse("supervision:helper", args=[appeal.pk]),
        reverse("supervision:board", args=[appeal.pk]),
    ]


def test_every_page_needs_login(client, world, appeal):
    for url in urls(world, appeal):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/" in response["Location"], url


def test_escalated_queue_per_level(client, world, appeal, django_assert_max_num_queries):
    with clock.frozen(T0 + timedelta(minutes=31)):
        run_once(now=clock.now())
    client.force_login(world.env_director)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("supervision:escalated")).content.decode()
    assert appeal.number in body and "第1级" in body and 'id="workbench-queue"' in body
    partial = client.get(reverse("supervision:escalated"), HTTP_HX_REQUEST="true").content.decode()
    assert appeal.number in partial and "<html" not in partial
    client.force_login(world.party_secretary)
    assert appeal.number not in client.get(reverse("supervision:escalated")).content.decode()


def test_escalated_stays_on_every_level_it_passed(client, world, appeal):
    """After climbing from the 环物会 to the party organisation it is still on the 环物会's list, marked."""
    with clock.frozen(T0 + timedelta(minutes=31)):
        run_once(now=clock.now())
    appeal.refresh_from_db()
    assert appeal.escalated_to == world.env_committee
    with clock.frozen(T0 + timedelta(hours=2)):
        run_once(now=clock.now())
    appeal.refresh_from_db()
    assert appeal.escalation_level >= 2 and appeal.escalated_to != world.env_committee
    client.force_login(world.env_director)
    body = client.get(reverse("supervision:escalated")).content.decode()
    assert appeal.number in body and "已升至上级" in body
    api = client.get("/api/v1/supervision/escalated").json()["items"]
    assert appeal.pk in [row["id"] for row in api]


def test_residents_are_sent_home_from_escalations(client, world):
    client.force_login(world.resident_a)
    response = client.get(reverse("supervision:escalated"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")


def test_whistle_page_permissions_and_post(client, world, appeal, dept_staff):
    url = reverse("supervision:whistle", args=[appeal.pk])
    for who, status in (("handler_x", 403), ("env_director", 403), ("resident_a", 403), ("outsider", 404)):
        client.force_login(getattr(world, who))
        assert client.get(url).status_code == status, who
    client.force_login(world.party_secretary)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"kind": "tough", "reason": "协调"})
    assert bad.status_code == 422 and "请选择一至十个职能部门" in bad.content.decode()
    ok = client.post(url, {"kind": "tough", "departments": [world.dept_housing.pk], "reason": "协调"})
    assert ok.status_code == 302 and Whistle.objects.filter(appeal=appeal).count() == 1


def test_summons_page_and_report_in(client, world, appeal, dept_staff):
    services.whistle_blow(
        appeal=appeal,
        actor=world.party_secretary,
        kind="tough",
        departments=[world.dept_housing],
        reason="电梯改造协调",
    )
    summons = Summons.objects.get()
    client.force_login(dept_staff)
    body = client.get(reverse("supervision:summonses")).content.decode()
    assert "电梯改造协调" in body and "待报到" in body
    client.post(reverse("supervision:summons_act", args=[summons.pk, "report_in"]), {"text": "到了"})
    summons.refresh_from_db()
    assert summons.reported_in_at is not None
    # someone else cannot report for the department
    client.force_login(world.handler_x)
    r = client.post(reverse("supervision:summons_act", args=[summons.pk, "report_back"]), {"text": "x"})
    assert r.status_code == 403
    assert client.post(reverse("supervision:summons_act", args=[summons.pk, "dance"])).status_code == 404
    # the public board shows who came
    client.force_login(world.resident_a)
    board = client.get(reverse("supervision:board", args=[appeal.pk])).content.decode()
    assert "区住建委" in board and "分钟" in board


def test_helper_page(client, world, appeal):
    url = reverse("supervision:helper", args=[appeal.pk])
    client.force_login(world.handler_x)
    assert client.get(url).status_code == 403
    client.force_login(world.env_director)
    page = client.get(url).content.decode()
    assert f'value="{world.company_y.pk}"' in page and f'value="{world.company_x.pk}"' not in page
    r = client.post(url, {"company": world.company_y.pk, "fee_waived": "auto"})
    assert r.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).helper_party == world.company_y


def test_supervision_links(world, appeal):
    from shequ.supervision.selectors import supervision_links

    assert supervision_links(appeal=appeal, user=world.party_secretary) == {
        "whistle": True,
        "helper": False,
        "board": False,
    }
    assert supervision_links(appeal=appeal, user=world.env_director)["helper"] is True
    assert supervision_links(appeal=appeal, user=world.handler_x) == {
        "whistle": False,
        "helper": False,
        "board": False,
    }


def test_escalated_list_exports_as_a_ledger(client, world, appeal, file_appeal):
    """The 升级督办 ledger: the page's rows in its order, with the level, the party it climbed to and the
    first party; no personal data; a resident is refused."""
    import io
    import re

    from openpyxl import load_workbook

    with clock.frozen(T0 + timedelta(minutes=5)):
        second = file_appeal(urgency="emergency", text="又一部电梯困人")
    with clock.frozen(T0 + timedelta(minutes=40)):
        run_once(now=clock.now())
    client.force_login(world.env_director)
    body = client.get(reverse("supervision:escalated")).content.decode()
    on_page = [n for n in dict.fromkeys(re.findall(r"\b2026\d{10}\b", body))]
    assert set(on_page) == {appeal.number, second.number}
    response = client.get(reverse("supervision:escalated_export"))
    assert response.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[0][-3:] == ("升级层级", "升级至", "首接主体")
    assert [r[0] for r in rows[1:]] == on_page
    first = {r[0]: r for r in rows[1:]}[appeal.number]
    assert first[-3:] == (1, world.env_committee.name, Appeal.objects.get(pk=appeal.pk).first_party.name)
    assert world.resident_a.phone not in str(rows) and world.resident_a.real_name not in str(rows)
    client.force_login(world.resident_a)
    assert client.get(reverse("supervision:escalated_export")).status_code == 403
