"""The 接诉即办 loop in real Chromium with two people: a resident reports a lift problem on a phone, the
property handler accepts and resolves it in the workbench on a desktop, the resident confirms and rates.

Screenshots (phone 390x844 and desktop 1280x900) go to /tmp/shots/appeals-web/.
"""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from shequ.appeals import services
from shequ.appeals.models import Appeal, Category, Status
from shequ.conftest import CHROMIUM, CHROMIUM_ARGS, needs_chromium, signed_in_context
from shequ.core import clock

SHOTS = Path(os.environ.get("SHEQU_SHOTS", "/tmp/shots/appeals-web"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 120, 160)).save(buf, format="PNG")
    return buf.getvalue()


def _login(browser, live_server, user, viewport):
    """A browser context logged in as `user` (session cookie made by the test client)."""
    return signed_in_context(browser, live_server, user, viewport)


def _shot(page, name: str, *, both: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    sizes = [("phone", PHONE), ("desktop", DESKTOP)] if both else [("", original)]
    for label, size in sizes:
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}{'-' + label if label else ''}.png"), full_page=True)
    page.set_viewport_size(original)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_report_accept_resolve_rate_in_two_browsers(live_server, world):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import expect, sync_playwright

    assert Category.objects.filter(code="lift").exists()
    # Something to see on the public list and in the queue besides the new appeal.
    services.appeal_create(
        reporter=world.resident_a2,
        kind="help",
        category=Category.objects.get(code="water"),
        place=world.building_a2,
        text="2号楼早上停水，没有通知。",
    )
    base = live_server.url
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            resident_ctx = _login(browser, live_server, world.resident_a, PHONE)
            handler_ctx = _login(browser, live_server, world.handler_x, DESKTOP)
            resident = resident_ctx.new_page()
            handler = handler_ctx.new_page()

            # The handler's workbench is already open: the new appeal must appear there without a reload.
            handler.goto(f"{base}/appeals/workbench")
            expect(handler.locator("#workbench-queue tr[data-appeal]")).to_have_count(1)
            expect(handler.locator("html")).to_have_attribute("data-live", "on")

            # --- resident, step 1: a big button per category
            resident.goto(f"{base}/appeals/report")
            expect(resident.locator("h1")).to_have_text("我要反映")
            _shot(resident, "report-1-category")
            resident.locator('.cat-btn[data-category="lift"]').click()

            # --- step 2: the lift of my building, urgent
            expect(resident.locator("legend").first).to_have_text("在哪里")
            resident.get_by_label("1号楼 1号电梯").check()
            resident.get_by_label("紧急", exact=True).check()
            _shot(resident, "report-2-place")
            resident.get_by_role("button", name="下一步").click()

            # --- step 3: describe, a photo, the routing preview, submit (twice, fast)
            expect(resident.locator("#routing-preview")).to_contain_text("将由 甲物业 负责")
            resident.locator("textarea[name=text]").fill("1号楼1号电梯停在3楼不动了，有老人要下楼。")
            resident.locator("#id_photos").set_input_files(
                [{"name": "lift.png", "mimeType": "image/png", "buffer": _png()}]
            )
            _shot(resident, "report-3-describe")
            started = time.perf_counter()
            resident.locator("#submit-appeal").dblclick()

            # --- lands on the appeal page: who is responsible and the due times at once
            expect(resident.locator("#responsible")).to_contain_text("甲物业")
            # The submit used to take 1.6 s (issue #14). Measured: the tap to the appeal page on screen,
            # and from Navigation Timing the POST's own server time (the redirect) and the page's.
            submit_s = time.perf_counter() - started
            timing = resident.evaluate(
                """() => { const e = performance.getEntriesByType('navigation')[0];
                  return {post: e.redirectEnd - e.redirectStart, page: e.responseEnd - e.fetchStart,
                          total: e.responseEnd}; }"""
            )
            print(f"submit: tap→page {submit_s * 1000:.0f} ms; navigation {timing}")  # noqa: T201 — shown with -s
            assert submit_s < 1.5, (submit_s, timing)
            expect(resident.locator("#responsible")).to_contain_text("签收剩")
            assert Appeal.objects.filter(reporter=world.resident_a).count() == 1
            appeal = Appeal.objects.get(reporter=world.resident_a)
            assert appeal.responsible_party_id == world.company_x.pk
            expect(resident.locator(".photos img")).to_have_count(1)
            _shot(resident, "detail-submitted")

            # --- handler: the open workbench shows it live (no reload); select it, accept, resolve
            row = handler.locator(f'#workbench-queue tr[data-appeal="{appeal.pk}"]')
            expect(row).to_be_visible(timeout=5000)
            expect(row.locator(".chip").last).to_contain_text("签收剩")
            _shot(handler, "workbench-queue")
            row.locator("a.row-link").click()
            expect(handler.locator("#wb-detail #do-accept")).to_be_visible()
            handler.locator("#wb-detail #do-accept").click()
            # The resident's open appeal page follows along without a reload.
            expect(resident.locator('#timeline li[data-kind="accepted"]')).to_be_visible(timeout=5000)
            expect(handler.locator('#wb-detail #timeline li[data-kind="accepted"]')).to_be_visible()
            expect(handler.locator(f'#workbench-queue tr[data-appeal="{appeal.pk}"]')).to_contain_text(
                "已签收"
            )
            handler.locator('#wb-detail details[data-action="reply"] summary').click()
            handler.locator('#wb-detail details[data-action="reply"] textarea').fill("维修师傅10分钟内到场。")
            handler.locator('#wb-detail details[data-action="reply"] button[type=submit]').click()
            expect(handler.locator('#wb-detail #timeline li[data-kind="replied"]')).to_be_visible()
            handler.locator('#wb-detail details[data-action="resolve"] summary').click()
            handler.locator('#wb-detail details[data-action="resolve"] textarea').fill(
                "已更换门机控制板，电梯恢复运行。"
            )
            handler.locator('#wb-detail details[data-action="resolve"] input[type=file]').set_input_files(
                [{"name": "fixed.png", "mimeType": "image/png", "buffer": _png()}]
            )
            handler.locator('#wb-detail details[data-action="resolve"] button[type=submit]').click()
            expect(handler.locator('#wb-detail #timeline li[data-kind="resolved"]')).to_be_visible()
            _shot(handler, "workbench-selected")
            appeal.refresh_from_db()
            assert appeal.status == Status.RESOLVED
            assert appeal.photos.filter(stage="resolution").count() == 1  # uploaded through htmx

            # --- resident: sees the outcome, confirms it is solved and rates it
            resident.goto(f"{base}/appeals/{appeal.pk}")
            expect(resident.locator("#feedback")).to_be_visible()
            _shot(resident, "detail-feedback")
            resident.locator("#feedback").get_by_text("已解决").click()
            resident.locator("#feedback").get_by_text("满意", exact=True).click()
            resident.get_by_role("button", name="提交评价").click()
            timeline = resident.locator("#timeline")
            for kind in ("submitted", "dispatched", "accepted", "replied", "resolved", "confirmed", "rated"):
                expect(timeline.locator(f'li[data-kind="{kind}"]')).to_have_count(1)
            expect(resident.locator("#feedback")).to_have_count(0)
            _shot(resident, "detail-closed")
            appeal.refresh_from_db()
            assert appeal.status == Status.CLOSED and appeal.rating == "satisfied" and appeal.solved is True

            # --- my appeals and the public list (masked), for the screenshots
            resident.goto(f"{base}/appeals/mine")
            expect(resident.locator("#my-appeals .appeal-item")).to_have_count(1)
            _shot(resident, "mine")
            resident.goto(f"{base}/appeals/public")
            expect(resident.locator("#public-appeals")).to_contain_text("张*")
            expect(resident.locator("#public-appeals")).not_to_contain_text("张三")
            _shot(resident, "public")
            handler.goto(f"{base}/appeals/workbench/file")
            _shot(handler, "workbench-file")
            handler.goto(f"{base}/appeals/workbench?status=all")
            _shot(handler, "workbench-all")
            # the queue as the page lists it, downloaded as an Excel ledger
            with handler.expect_download() as info:
                handler.locator("#wb-export").click()
            ledger = list(load_workbook(open(info.value.path(), "rb")).active.iter_rows(values_only=True))
            assert ledger[0][0] == "编号" and appeal.number in [r[0] for r in ledger[1:]]
            # Time-left chips in every colour, for the screenshot (green → amber → red → overdue).
            # First close the pages with a live stream: on the test's shared-cache SQLite, the stream's open
            # read would hold a table lock on appeals_appeal against these inserts ("table is locked").
            handler.goto("about:blank")
            resident.goto("about:blank")
            now = clock.now()
            for minutes in (70, 100, 180):
                with clock.frozen(now - timedelta(minutes=minutes)):
                    services.appeal_create(
                        reporter=world.resident_a2,
                        kind="help",
                        category=Category.objects.get(code="drains"),
                        place=world.building_a2,
                        text=f"{minutes}分钟前反映的下水道堵塞。",
                    )
            handler.goto(f"{base}/appeals/workbench")
            expect(handler.locator("#workbench-queue .chip-overdue")).to_have_count(1)
            _shot(handler, "workbench-chips")
            # Large type (大字模式) for elderly residents.
            host = live_server.url.split("//", 1)[1].split(":")[0]
            resident_ctx.add_cookies([{"name": "shequ_large", "value": "1", "domain": host, "path": "/"}])
            resident.goto(f"{base}/appeals/{appeal.pk}")
            expect(resident.locator("html")).to_have_class("large")
            _shot(resident, "detail-large")
        finally:
            browser.close()
