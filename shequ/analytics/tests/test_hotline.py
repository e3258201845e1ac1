"""The 12345 hotline exchange: import (CSV, Excel, JSON), dedupe, address matching, the unmatched
queue, all-or-nothing row reports, the remembered mapping, export back, masking."""

from __future__ import annotations

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from shequ.analytics import hotline
from shequ.analytics.models import HotlineOrder
from shequ.appeals.models import Appeal, RoutingRule
from shequ.directory import places as dplaces
from shequ.directory.models import PlaceKind

SH = ZoneInfo("Asia/Shanghai")
HEADER = "工单编号,来电时间,来电人,来电号码,地址,分类,内容,办理时限,状态\n"


def _csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


GOOD = _csv(
    "H001,2026-11-02 09:00,王大爷,13911112222,测试街道测试社区甲小区1号楼3单元,电梯,电梯停运,2026-11-03 09:00,待处理",
    "H002,2026-11-02 10:00,李阿姨,13933334444,甲小区东门,垃圾清运,垃圾没人收,,待处理",
    "H003,2026/11/02 11:00,赵先生,13955556666,测试社区居委会门口,噪声扰民,夜里施工,,待处理",
    "H004,2026-11-02 12:00,钱女士,13977778888,某某路88号,供水,停水,,待处理",
)


@pytest.fixture
def staff(world):
    """The street office's head handles the street's hotline orders."""
    return world.street_leader


def _import(staff, world, data=GOOD, filename="orders.csv", mapping=None):
    return hotline.hotline_import(
        actor=staff, area=world.street, data=data, filename=filename, mapping=mapping
    )


def test_import_matches_addresses_files_appeals_and_keeps_the_deadline(world, staff):
    batch = _import(staff, world)
    assert batch.ok, batch.report
    r = batch.report
    assert (r["imported"], r["matched"], r["unmatched"], r["rejected"]) == (4, 2, 2, [])
    h1 = HotlineOrder.objects.get(number="H001")
    assert h1.matched_place == world.building_a1 and h1.match == "building"
    assert h1.appeal.source == "hotline" and h1.appeal.building_id == world.building_a1.pk
    assert h1.appeal.resolve_due_at == datetime(2026, 11, 3, 9, 0, tzinfo=SH)  # the hotline's own deadline
    assert h1.appeal.created_at == datetime(2026, 11, 2, 9, 0, tzinfo=SH)
    assert HotlineOrder.objects.get(number="H002").matched_place == world.compound_a
    h3 = HotlineOrder.objects.get(number="H003")  # only the community matched: filed at the community
    assert h3.match == "community" and h3.appeal.place == world.community
    assert "测试社区居委会门口" in h3.appeal.text
    h4 = HotlineOrder.objects.get(number="H004")  # nothing matched: the street's only community's queue
    assert h4.match == "none" and h4.address_text == "某某路88号"
    assert h4.appeal.status == "submitted" and h4.appeal.dispatcher == world.rc
    assert h4.appeal.place == world.community and "某某路88号" in h4.appeal.text


NOWHERE = _csv(
    "H101,2026-11-05 08:00,孙先生,13912340000,某某路88号,电梯,电梯困人,2026-11-05 20:00,待处理",
    "H102,2026-11-05 09:00,周女士,13912340001,测试社区居委会门口,电梯,电梯异响,2026-11-06 09:00,待处理",
)


def test_an_unmatched_address_lands_in_the_dispatch_queue_never_dropped(world):
    """Imported for the community: the unmatched order is an appeal (source hotline, the hotline's deadline,
    the address text) waiting in the residents' committee's dispatch queue — not routed, even where a rule
    would route a community-level appeal (H102 shows the rule applies); a re-import files nothing twice."""
    RoutingRule.objects.create(place=world.community, party=world.company_x, note="社区兜底")
    batch = hotline.hotline_import(actor=world.rc_staff, area=world.community, data=NOWHERE, filename="n.csv")
    assert batch.ok and (batch.report["imported"], batch.report["unmatched"]) == (2, 2), batch.report
    h101 = HotlineOrder.objects.get(number="H101")
    a = h101.appeal
    assert a is not None and h101.match == "none" and a.source == "hotline"
    assert (a.status, a.dispatcher, a.responsible_party, a.first_party) == (
        "submitted",
        world.rc,
        world.rc,
        None,
    )
    assert a.place == world.community and "某某路88号" in a.text and "H101" in a.text
    assert a.resolve_due_at == datetime(2026, 11, 5, 20, 0, tzinfo=SH)  # the hotline's own deadline
    assert a.created_at == datetime(2026, 11, 5, 8, 0, tzinfo=SH)
    queue = Appeal.objects.filter(dispatcher=world.rc, status="submitted")
    assert list(queue.values_list("pk", flat=True)) == [a.pk]
    h102 = HotlineOrder.objects.get(number="H102")  # matched the community: routed by the rule
    assert h102.match == "community" and h102.appeal.responsible_party == world.company_x
    # the re-import dedupes on the hotline number: updates the order, files no second appeal
    again = hotline.hotline_import(
        actor=world.rc_staff,
        area=world.community,
        data=NOWHERE.replace("电梯困人".encode(), "电梯困人，已两小时".encode()),
        filename="n.csv",
    )
    assert again.ok and (again.report["imported"], again.report["updated"]) == (0, 1)
    assert Appeal.objects.filter(source="hotline").count() == 2
    h101.refresh_from_db()
    assert h101.appeal_id == a.pk and h101.content == "电梯困人，已两小时"


def test_a_street_of_several_communities_sends_an_unmatched_order_to_a_community(world, staff):
    """No single community to queue it in: the street office sends it (then it is in that queue)."""
    dplaces.place_create(kind=PlaceKind.COMMUNITY, name="另一社区", parent=world.street)
    _import(staff, world)
    h4 = HotlineOrder.objects.get(number="H004")
    assert h4.appeal is None and h4.address_text == "某某路88号"  # kept, never dropped
    order = hotline.hotline_order_assign(actor=staff, order_id=h4.pk, community_id=world.community.pk)
    assert order.appeal.status == "submitted" and order.appeal.dispatcher == world.rc
    assert "某某路88号" in order.appeal.text


def test_a_reimport_changes_nothing(world, staff):
    _import(staff, world)
    appeals = list(Appeal.objects.order_by("pk").values_list("pk", "status", "resolve_due_at", "text"))
    orders = list(HotlineOrder.objects.order_by("pk").values())
    again = _import(staff, world)
    assert again.ok and again.report["imported"] == 0 and again.report["unchanged"] == 4
    assert (
        list(Appeal.objects.order_by("pk").values_list("pk", "status", "resolve_due_at", "text")) == appeals
    )
    assert [
        {k: v for k, v in o.items() if k != "last_import_id"}
        for o in HotlineOrder.objects.order_by("pk").values()
    ] == [{k: v for k, v in o.items() if k != "last_import_id"} for o in orders]
    changed = _import(staff, world, data=GOOD.replace("电梯停运".encode(), "电梯又停了".encode()))
    assert changed.report["updated"] == 1 and Appeal.objects.count() == len(appeals)


def test_bad_rows_are_reported_and_nothing_is_imported(world, staff):
    data = _csv(
        "H101,2026-11-02 09:00,王大爷,139,甲小区1号楼,电梯,电梯停运,,",
        "H101,2026-11-02 09:00,王大爷,139,甲小区1号楼,电梯,电梯停运,,",
        "H102,昨天,王大爷,139,甲小区1号楼,电梯,电梯停运,,",
        "H103,2026-11-02 09:00,王大爷,139,甲小区1号楼,外星人,电梯停运,,",
    )
    batch = _import(staff, world, data=data)
    assert not batch.ok and HotlineOrder.objects.count() == 0 and Appeal.objects.count() == 0
    rejected = {r["row"]: r for r in batch.report["rejected"]}
    assert set(rejected) == {3, 4, 5}
    assert "重复" in rejected[3]["reason_zh"] and "same order number" in rejected[3]["reason_en"]
    assert "来电时间" in rejected[4]["reason_zh"] and "bad call time" in rejected[4]["reason_en"]
    assert "未知的分类" in rejected[5]["reason_zh"] and "unknown category" in rejected[5]["reason_en"]
    missing = _import(staff, world, data="工单编号,地址\nH1,甲小区\n".encode())
    assert not missing.ok and "缺少必填列" in missing.report["rejected"][0]["reason_zh"]
    wrong = _import(staff, world, data=b"\x00\x01", filename="orders.pdf")
    assert not wrong.ok and "Only .xlsx" in wrong.report["rejected"][0]["reason_en"]


def test_excel_and_json_and_the_remembered_mapping(world, staff):
    wb = Workbook()
    ws = wb.active
    ws.append(["单号", "受理时间", "事发地点", "问题类别", "诉求描述"])
    ws.append(["X1", datetime(2026, 11, 5, 8, 30), "甲小区2号楼", "供水", "没水了"])
    buf = io.BytesIO()
    wb.save(buf)
    mapping = {"number": "单号", "address": "事发地点", "category": "问题类别", "content": "诉求描述"}
    batch = _import(staff, world, data=buf.getvalue(), filename="x.xlsx", mapping=mapping)
    assert batch.ok, batch.report
    assert HotlineOrder.objects.get(number="X1").matched_place == world.building_a2
    # the next file with the same headers needs no mapping: it was remembered for the street
    ws.append(["X2", datetime(2026, 11, 6, 8, 30), "乙小区1号楼", "供水", "又没水了"])
    buf = io.BytesIO()
    wb.save(buf)
    assert _import(staff, world, data=buf.getvalue(), filename="x.xlsx").report["imported"] == 1
    items = [
        {
            "工单编号": "J1",
            "来电时间": "2026-11-07T10:00:00+08:00",
            "地址": "乙小区1号楼",
            "分类": "电梯",
            "内容": "困人",
        }
    ]
    batch = _import(staff, world, data=json.dumps(items, ensure_ascii=False).encode(), filename="o.json")
    assert batch.ok and HotlineOrder.objects.get(number="J1").matched_place == world.building_b1


def test_export_back_in_the_same_format(client, world, staff):
    _import(staff, world)
    client.force_login(staff)
    url = reverse("analytics:hotline_export")
    r = client.get(url)  # the last import was a CSV
    assert r["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    assert (
        text.splitlines()[0].startswith("工单编号,状态,答复内容") and "H004,待派单" in text
    )  # filed in the dispatch queue
    r = client.get(url + "?format=json")
    assert json.loads(r.content)[0]["工单编号"]
    r = client.get(url + "?format=xlsx")
    assert load_workbook(io.BytesIO(r.content)).active.max_row == 5
    assert client.get(url + "?format=pdf").status_code == 422


def test_pages_permissions_and_masking(client, world, staff):
    url = reverse("analytics:hotline")
    client.force_login(staff)
    upload = io.BytesIO(GOOD)
    upload.name = "orders.csv"
    r = client.post(url, {"file": upload})
    body = r.content.decode()
    assert r.status_code == 200 and "导入完成" in body and "H001" in body
    appeal = HotlineOrder.objects.get(number="H001").appeal
    for user in (world.resident_a, world.observer, world.outsider, world.handler_x):
        client.force_login(user)
        assert client.get(url).status_code == 403, user.real_name
    # the caller's name and phone never reach the appeal's public page
    client.force_login(world.resident_b)
    page = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "王大爷" not in page and "13911112222" not in page
    client.force_login(staff)
    bad = io.BytesIO(_csv("H9,昨天,王,1,甲小区,电梯,坏了,,"))
    bad.name = "bad.csv"
    r = client.post(url, {"file": bad})
    assert r.status_code == 422 and "没有导入" in r.content.decode() and "bad call time" in r.content.decode()
