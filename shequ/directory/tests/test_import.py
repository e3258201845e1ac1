"""Bulk import of buildings, units and households from real .xlsx and .csv files."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from shequ.core.errors import Invalid
from shequ.directory.importer import places_import
from shequ.directory.models import Place, PlaceKind

HEADER = ["楼栋", "单元", "门牌号", "楼层", "专有面积"]


def xlsx(rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig", sep=",") -> bytes:
    lines = [sep.join(header)] + [sep.join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


GOOD = [
    ["5号楼", "1单元", 101, 1, 88.5],
    ["5号楼", "1单元", 102, 1, "76.20"],
    ["5号楼", "2单元", 101, 1, 90],
    ["6", "1", "501", "", 120.25],  # bare numbers: 6号楼, 1单元, floor from 501
    ["1号楼", "1单元", "201", 2, 66],  # existing building and unit of the world are reused
]


def households(compound):
    return Place.objects.filter(compound=compound, kind=PlaceKind.HOUSEHOLD)


def test_good_xlsx_imports_every_row(world):
    before = households(world.compound_a).count()
    report = places_import(compound=world.compound_a, file=xlsx(GOOD), filename="楼栋.xlsx")
    assert report.ok, report.rejected
    assert (report.rows, report.buildings_created, report.units_created, report.households_created) == (
        5,
        2,
        3,
        5,
    )
    assert households(world.compound_a).count() == before + 5
    hh = Place.objects.get(building__name="6号楼", name="501")
    assert hh.floor == 5 and hh.floor_area == Decimal("120.25")
    assert hh.unit.name == "1单元" and hh.compound_id == world.compound_a.pk
    assert hh.community_id == world.community.pk and hh.street_id == world.street.pk
    reused = Place.objects.get(building=world.building_a1, name="201")
    assert reused.parent == world.household_a.parent
    assert Place.objects.filter(parent=world.compound_a, name="1号楼").count() == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_every_encoding(world, encoding):
    report = places_import(
        compound=world.compound_b, file=csv_bytes(GOOD, encoding=encoding), filename="a.csv"
    )
    assert report.ok, report.rejected
    assert report.households_created == 5
    assert (
        Place.objects.filter(
            compound=world.compound_b, building__name="5号楼", kind=PlaceKind.HOUSEHOLD
        ).count()
        == 3
    )


def test_english_headers_tabs_and_no_unit_column(world):
    data = csv_bytes(
        [["A座", "1101", "110.5"], ["A座", "1102", "98"]], header=["Building", "Room", "Area"], sep="\t"
    )
    report = places_import(compound=world.compound_b, file=data, filename="english.csv")
    assert report.ok and report.units_created == 0
    hh = Place.objects.get(name="1101", building__name="A座")
    assert hh.parent.kind == PlaceKind.BUILDING and hh.floor == 11 and hh.unit_id is None


def test_one_bad_row_writes_nothing_and_reports_it(world):
    before = Place.objects.count()
    rows = [*GOOD, ["7号楼", "1单元", "301", 3, "大约八十"]]
    report = places_import(compound=world.compound_a, file=xlsx(rows), filename="bad.xlsx")
    assert not report.ok
    assert [r.row for r in report.rejected] == [7]
    assert "不是数字" in report.rejected[0].reason_zh and "not a number" in report.rejected[0].reason_en
    assert Place.objects.count() == before


def test_every_kind_of_rejection_is_reported(world):
    rows = [
        ["", "1单元", "101", 1, 80],  # 2: missing building
        ["8号楼", "1单元", "", 1, 80],  # 3: missing household
        ["8号楼", "1单元", "101", 1, 0],  # 4: non-positive area
        ["8号楼", "1单元", "102", 1, -5],  # 5: negative area
        ["8号楼", "1单元", "103", "一楼", 80],  # 6: non-numeric floor
        ["8号楼", "1单元", "104", 1, None],  # 7: missing area
        ["8号楼", "1单元", "105", 1, 80],  # 8: fine
        ["8号楼", "1单元", "105", 1, 81],  # 9: duplicate of row 8
        ["1号楼", "1单元", "101", 1, 80],  # 10: exists already (world.household_a)
        [None, None, None, None, None],  # blank rows are skipped
    ]
    report = places_import(compound=world.compound_a, file=xlsx(rows), filename="all.xlsx")
    reasons = {r.row: r.reason_zh for r in report.rejected}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 9, 10]
    assert "缺少楼栋" in reasons[2]
    assert "缺少门牌号" in reasons[3]
    assert "必须大于0" in reasons[4] and "必须大于0" in reasons[5]
    assert "楼层" in reasons[6]
    assert "缺少专有面积" in reasons[7]
    assert "第8行重复" in reasons[9]
    assert "已存在" in reasons[10]
    assert all(r.reason_en for r in report.rejected)
    assert not Place.objects.filter(name="8号楼").exists()


def test_file_level_problems_raise(world):
    with pytest.raises(Invalid) as err:
        places_import(
            compound=world.compound_a, file=csv_bytes(GOOD, header=["楼栋", "单元", "面积"]), filename="x.csv"
        )
    assert err.value.code == "import_columns_missing" and "门牌号" in err.value.message_zh
    with pytest.raises(Invalid):
        places_import(compound=world.compound_a, file=b"hello", filename="x.pdf")
    with pytest.raises(Invalid):
        places_import(compound=world.compound_a, file=b"not a zip", filename="x.xlsx")
    with pytest.raises(Invalid):
        places_import(compound=world.compound_a, file=csv_bytes([]), filename="empty.csv")
    with pytest.raises(Invalid):
        places_import(compound=world.building_a1, file=csv_bytes(GOOD), filename="x.csv")


def test_import_places_command(world, tmp_path, capsys):
    path = tmp_path / "households.xlsx"
    path.write_bytes(xlsx(GOOD))
    call_command("import_places", str(world.compound_b.pk), str(path))
    assert "5 households" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["9号楼", "1单元", "101", 1, "x"]]))
    with pytest.raises(CommandError):
        call_command("import_places", str(world.compound_b.pk), str(bad))
    assert not Place.objects.filter(name="9号楼").exists()
