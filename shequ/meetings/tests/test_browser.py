"""In real Chromium: the 环物会 director convenes a meeting on an open appeal, takes attendance,
writes minutes with a decision and an action item and closes it; the responsible property company
sees the action item on its "会议与待办" page and its start page; the appeal's page shows the meeting.

Screenshots (390 px normal and large type, 1280 px) go to /tmp/shots/coord/.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from shequ.conftest import needs_chromium, pick, signed_in_context
from shequ.core import clock
from shequ.meetings.models import ActionItem, Meeting

SHOTS = Path(os.environ.get("SHEQU_SHOTS", "/tmp/shots/coord"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [pytest.mark.browser, needs_chromium]


def _context(browser, live_server, user, viewport, *, large: bool = False):
    return signed_in_context(browser, live_server, user, viewport, large=large, timeout_ms=20000)


def _shots(browser, live_server, user, url: str, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport, large in (
        ("390", PHONE, False),
        ("390-large", PHONE, True),
        ("1280", DESKTOP, False),
    ):
        context = _context(browser, live_server, user, viewport, large=large)
        page = context.new_page()
        page.goto(live_server.url + url)
        # nothing wider than the screen on a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1, (name, label)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
        context.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_director_convenes_closes_and_the_company_sees_its_item(
    live_server, browser, world, django_capture_on_commit_callbacks
):
    from playwright.sync_api import expect

    from shequ.appeals import services as appeal_services
    from shequ.appeals.models import Category

    appeal = appeal_services.appeal_create(
        reporter=world.resident_a,
        kind="complaint",
        category=Category.objects.get(code="heating"),
        place=world.household_a,
        text="暖气不热，屋里只有十五度",
    )
    start = timezone.localtime(clock.now() + timedelta(days=1)).replace(hour=14, minute=0)
    context = _context(browser, live_server, world.env_director, PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/meetings/new/?appeal={appeal.pk}&place={world.compound_a.pk}")
    page.fill("#id_topic", "暖气不热协调会")
    pick(page, "starts_at", start)
    pick(page, "ends_at", start + timedelta(hours=2))
    page.fill("#id_location", "社区会议室")
    expect(page.locator(f"input[name=appeals][value='{appeal.pk}']")).to_be_checked()
    page.check(f"input[name=invitees][value='{world.company_x.pk}']")
    page.check(f"input[name=invitees][value='{world.police.pk}']")
    page.click("text=发出会议通知")
    expect(page.locator("#meeting-status")).to_have_text("待召开")
    meeting = Meeting.objects.get()

    # Attendance (the form is open while nobody has signed in yet).
    page.locator(f"input[name=present_{world.company_x.pk}]").check()
    page.fill(f"#id_name_{meeting.invitations.get(party=world.company_x).pk}", "王师傅")
    page.fill("#id_other_name", "业主老李")
    page.fill("#id_other_label", "1号楼业主代表")
    page.click("text=保存签到")
    expect(page.locator("#meeting-status")).to_have_text("已召开")
    assert set(meeting.attendance.values_list("name", "party_id")) == {
        ("周主任", world.env_committee.pk),
        ("王师傅", world.company_x.pk),
        ("业主老李", None),
    }
    # Closing without minutes is refused with the reason.
    page.click("text=结束会议并公示结果")
    expect(page.locator(".messages")).to_contain_text("没有会议纪要")
    page.fill("#id_minutes", "物业承诺三天内排查1号楼供暖管道，派出所协助入户。")
    page.click("text=保存纪要")
    page.fill("#id_decision_text", "物业三天内排查管道")
    page.click("text=添加决定")
    page.fill("#id_item_desc", "排查1号楼供暖管道")
    page.select_option("#id_item_party", str(world.company_x.pk))
    pick(page, "due_at", start + timedelta(days=3))
    page.click("text=添加任务")
    expect(page.locator("#items-h + ul")).to_contain_text("排查1号楼供暖管道")
    page.click("text=结束会议并公示结果")
    expect(page.locator("#meeting-status")).to_have_text("已结束")
    context.close()
    assert ActionItem.objects.get().responsible_party_id == world.company_x.pk
    meeting.refresh_from_db()
    assert meeting.status == "closed" and meeting.summary_notice_id

    # The property company's handler: the item on its meetings page and its home page.
    context = _context(browser, live_server, world.handler_x, PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/meetings/")
    expect(page.locator("#items-h + ul")).to_contain_text("排查1号楼供暖管道")
    page.goto(f"{live_server.url}/")  # staff land on their start page
    expect(page.locator("#start-meetings")).to_contain_text("排查1号楼供暖管道")
    # The appeal's page shows the meeting (the block registered at the appeals extension point).
    page.goto(live_server.url + reverse("appeals:detail", args=[appeal.pk]))
    expect(page.locator("#appeal-meetings")).to_contain_text("暖气不热协调会")
    context.close()

    _shots(browser, live_server, world.env_director, f"/meetings/{meeting.pk}/", "meeting")
    _shots(browser, live_server, world.handler_x, "/meetings/", "meetings-handler")
    _shots(browser, live_server, world.handler_x, "/", "start-handler")
    _shots(browser, live_server, world.resident_a, f"/meetings/{meeting.pk}/summary/", "meeting-summary")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_station_and_project_pages_on_a_phone_and_a_desktop(live_server, browser, world):
    """Screenshots of the station page, a volunteer's need page and a project's public account."""
    from shequ.appeals import services as appeal_services
    from shequ.appeals.models import Category
    from shequ.projects import services as projects
    from shequ.projects.tests.test_projects import png
    from shequ.stations import services as stations

    stations.volunteer_join(user=world.resident_a2, station=world.mutual_aid, skills=["mediation", "care"])
    need = appeal_services.appeal_create(
        reporter=world.resident_b,
        kind="help",
        category=Category.objects.get(code="neighbour-dispute"),
        place=world.household_b,
        text="楼上漏水到我家，想请人调解",
    )
    _shots(browser, live_server, world.resident_a2, f"/stations/needs/{need.pk}/", "need-before-take")
    stations.need_take(appeal=need, user=world.resident_a2)
    stations.hours_log(appeal=need, user=world.resident_a2, minutes=60, note="上门调解")
    stations.need_resolve(appeal=need, user=world.resident_a2, text="已调解")
    _shots(browser, live_server, world.resident_a2, f"/stations/needs/{need.pk}/", "need-taken")
    _shots(browser, live_server, world.resident_a, f"/stations/{world.mutual_aid.pk}/", "station")
    project = projects.project_create(
        actor=world.rc_staff, party=world.rc, place=world.compound_a, title="智能车棚改造", budget="86000"
    )
    projects.project_transition(project=project, actor=world.rc_staff, action="approve")
    for source, amount in (("collective", "16000"), ("social", "20000"), ("residents", "10000")):
        f = projects.funding_pledge(
            project=project, actor=world.rc_staff, source=source, payer_name="出资方", amount=amount
        )
        projects.funding_receive(funding=f, actor=world.rc_staff, receipt=png())
    projects.spending_record(
        project=project,
        actor=world.rc_staff,
        source="social",
        amount="19800.50",
        payee="车棚厂",
        description="门禁和充电口",
        receipt=png(),
    )
    projects.milestone_add(project=project, actor=world.rc_staff, title="顶棚完工", progress=60, photo=png())
    _shots(browser, live_server, world.resident_a, f"/projects/{project.pk}/", "project")
    _shots(browser, live_server, world.rc_staff, f"/projects/{project.pk}/", "project-manager")
