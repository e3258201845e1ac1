"""Helpers for the decisions tests: a register for compound A of the shared world, and a decision voting now."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shequ.core import clock
from shequ.decisions import register, services
from shequ.directory import places as dplaces
from shequ.directory.models import Place, PlaceKind

T0 = timezone.make_aware(datetime(2026, 11, 2, 9, 0))


def photo(name: str = "ballot.jpg") -> SimpleUploadedFile:
    """A photo of a paper ballot (or of a signed authorisation)."""
    return SimpleUploadedFile(name, b"\xff\xd8\xff\xe0fake-jpeg", content_type="image/jpeg")


def add_households(world, names_areas: list[tuple[str, str]]) -> list[Place]:
    unit = Place.objects.get(parent=world.building_a1, kind=PlaceKind.UNIT)
    return [
        dplaces.place_create(kind=PlaceKind.HOUSEHOLD, name=n, parent=unit, floor_area=Decimal(a))
        for n, a in names_areas
    ]


def csv_bytes(rows: list[list[str]]) -> bytes:
    header = "楼栋,单元,门牌号,类型,专有面积,面积依据,业主,电话,代表人,建设单位未售\n"
    return (header + "\n".join(",".join(r) for r in rows) + "\n").encode()


def standard_register(world) -> None:
    """Compound A: 101 (张三, linked), 201 in building 2 (张小三, linked), 102–104 developer unsold,
    105 and 106 bought by one buyer (王五), 107 co-owned by 赵六 (representative) and 钱七."""
    add_households(
        world, [("102", "100"), ("103", "100"), ("104", "100"), ("105", "60"), ("106", "40"), ("107", "90")]
    )
    rows = [
        ["1号楼", "1单元", "101", "住宅", "88.50", "登记", "张三", world.resident_a.phone, "是", "否"],
        ["2号楼", "1单元", "201", "住宅", "75", "登记", "张小三", world.resident_a2.phone, "", ""],
        ["1号楼", "1单元", "102", "住宅", "100", "实测", "甲开发公司", "", "", "是"],
        ["1号楼", "1单元", "103", "住宅", "100", "实测", "甲开发公司", "", "", "是"],
        ["1号楼", "1单元", "104", "住宅", "100", "实测", "甲开发公司", "", "", "是"],
        ["1号楼", "1单元", "105", "住宅", "60", "登记", "王五", "13700000005", "", ""],
        ["1号楼", "1单元", "106", "住宅", "40", "合同", "王五", "13700000005", "", ""],
        ["1号楼", "1单元", "107", "住宅", "90", "登记", "赵六", "13700000006", "是", ""],
        ["1号楼", "1单元", "107", "住宅", "90", "登记", "钱七", "13700000007", "否", ""],
    ]
    report = register.register_import(
        actor=world.rc_staff,
        organiser=world.rc,
        compound=world.compound_a,
        file=csv_bytes(rows),
        filename="r.csv",
    )
    assert report.ok, report.rejected


def voting_decision(world, *, matter: str = "use_fund", buildings=()):
    """A decision of the residents' committee for compound A, publicised at T0 and voting from T0 + 7 days."""
    with clock.frozen(T0):
        d = services.decision_create(
            actor=world.rc_staff,
            organiser=world.rc,
            compound=world.compound_a,
            matter=matter,
            title="使用维修资金更换1号楼电梯",
            body="1号楼电梯已使用21年，拟使用维修资金更换。",
            buildings=list(buildings),
        )
        d = services.decision_publicise(actor=world.rc_staff, decision=d, opens_at=T0 + timedelta(days=7))
    with clock.frozen(T0 + timedelta(days=7)):
        d = services.decision_open(actor=world.rc_staff, decision=d)
    return d


VOTING = T0 + timedelta(days=8)
AFTER = T0 + timedelta(days=23)
