"""Reading spreadsheets of buildings, units and households (.xlsx, .csv in UTF-8 / UTF-8-BOM / GBK, and
JSON arrays of objects for importers that take them).

Only parsing lives here; `directory.importer.places_import` validates and writes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO

from shequ.core.errors import Invalid

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

# Accepted headers (compared after stripping spaces and lower-casing) → our column name.
HEADERS = {
    "building": ("楼栋", "楼号", "楼栋号", "楼", "building", "bldg"),
    "unit": ("单元", "单元号", "unit", "entrance"),
    "household": (
        "门牌号",
        "户号",
        "房号",
        "室",
        "房间号",
        "household",
        "room",
        "door",
        "number",
        "flat",
        "apartment",
    ),
    "floor": ("楼层", "层", "floor", "level", "storey"),
    "area": (
        "专有面积",
        "专有部分面积",
        "建筑面积",
        "面积",
        "面积(㎡)",
        "面积（㎡）",
        "面积(m²)",
        "面积（平方米）",
        "area",
        "floor_area",
        "floor area",
        "area_m2",
        "area (m2)",
        "area(m2)",
    ),
}
REQUIRED = ("building", "household", "area")
LABELS = {"building": "楼栋", "unit": "单元", "household": "门牌号", "floor": "楼层", "area": "专有面积"}


@dataclass
class RejectedRow:
    row: int
    reason_zh: str
    reason_en: str


@dataclass
class ImportReport:
    """What an import did (or would have done): nothing is written when any row is rejected."""

    filename: str = ""
    rows: int = 0
    buildings_created: int = 0
    units_created: int = 0
    households_created: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def reject(self, row: int, reason_zh: str, reason_en: str) -> None:
        self.rejected.append(RejectedRow(row=row, reason_zh=reason_zh, reason_en=reason_en))

    def as_dict(self) -> dict:
        return {
            "filename": self.filename,
            "ok": self.ok,
            "rows": self.rows,
            "buildings_created": self.buildings_created,
            "units_created": self.units_created,
            "households_created": self.households_created,
            "rejected": [r.__dict__ for r in self.rejected],
        }


def _normalise_header(value: object) -> str:
    return "".join(str(value or "").split()).lower()


_LOOKUP = {_normalise_header(alias): key for key, aliases in HEADERS.items() for alias in aliases}


def cell_text(value: object) -> str:
    """Spreadsheet cells as text: 501.0 → "501", None → ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class Columns:
    """A spreadsheet's expected columns: aliases per column, the required ones, and labels for messages.
    Other importers (the owners' register …) pass their own; the default is buildings and households."""

    headers: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    labels: dict[str, str]

    def lookup(self) -> dict[str, str]:
        return {_normalise_header(alias): key for key, aliases in self.headers.items() for alias in aliases}


PLACES = Columns(headers=HEADERS, required=REQUIRED, labels=LABELS)


def _map_headers(header: list[object], spec: Columns = PLACES) -> dict[str, int]:
    columns: dict[str, int] = {}
    lookup = _LOOKUP if spec is PLACES else spec.lookup()
    for index, value in enumerate(header):
        key = lookup.get(_normalise_header(value))
        if key and key not in columns:
            columns[key] = index
    missing = [k for k in spec.required if k not in columns]
    if missing:
        zh = "、".join(spec.labels[k] for k in missing)
        example_zh = "、".join(spec.labels.values())
        example_en = ", ".join(spec.labels)
        raise Invalid(
            f"表头缺少必填列：{zh}。第一行应为列名，例如：{example_zh}。",
            f"Missing required column(s): {', '.join(missing)}. The first row must name the columns, e.g. "
            f"{example_en}.",
            code="import_columns_missing",
        )
    return columns


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid(
        "无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV。",
        "Unknown text encoding; save the CSV as UTF-8 or GBK.",
        code="import_encoding",
    )


def _csv_rows(data: bytes) -> list[list[object]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";", "，"), key=first_line.count)
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook  # noqa: PLC0415 — only imports need openpyxl

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise Invalid(
            "无法读取该 Excel 文件，请确认是 .xlsx 格式。",
            "Could not read the Excel file (.xlsx).",
            code="import_xlsx_invalid",
        )
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _json_rows(data: bytes) -> list[list[object]]:
    """A JSON array of objects as a header row (the first object's keys) and value rows."""
    import json  # noqa: PLC0415

    try:
        items = json.loads(_decode(data))
    except ValueError:
        raise Invalid("无法读取该 JSON 文件。", "Could not read the JSON file.", code="import_json_invalid")
    if isinstance(items, dict):
        items = next((v for v in items.values() if isinstance(v, list)), [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise Invalid(
            "JSON 文件应为对象数组。",
            "The JSON file must be an array of objects.",
            code="import_json_invalid",
        )
    header: list[object] = list(items[0]) if items else []
    return [header, *([item.get(str(k)) for k in header] for item in items)]


def read_rows(
    file: IO[bytes] | bytes, filename: str, columns: Columns = PLACES
) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {column: text}) for every non-blank data row; row 1 is the header."""
    data = file if isinstance(file, bytes) else file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise Invalid(
            "文件太大（最大 5 MB）。", "The file is too large (5 MB at most).", code="import_too_large"
        )
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif name.endswith((".csv", ".txt")):
        rows = _csv_rows(data)
    elif name.endswith(".json"):
        rows = _json_rows(data)
    else:
        raise Invalid(
            "只支持 .xlsx 或 .csv 文件。", "Only .xlsx and .csv files are supported.", code="import_format"
        )
    if not rows:
        raise Invalid("文件是空的。", "The file is empty.", code="import_empty")
    positions = _map_headers(rows[0], columns)
    out: list[tuple[int, dict[str, str]]] = []
    for number, row in enumerate(rows[1:], start=2):
        values = {key: cell_text(row[i]) if i < len(row) else "" for key, i in positions.items()}
        if not any(values.values()):
            continue
        out.append((number, values))
    if not out:
        raise Invalid("文件里没有数据行。", "The file has no data rows.", code="import_empty")
    if len(out) > MAX_ROWS:
        raise Invalid(
            f"一次最多导入 {MAX_ROWS} 行。",
            f"At most {MAX_ROWS} rows per import.",
            code="import_too_many_rows",
        )
    return out


def import_template_xlsx() -> bytes:
    """An example spreadsheet with the expected columns, for people to fill in."""
    from openpyxl import Workbook  # noqa: PLC0415

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "住户"
    sheet.append(["楼栋", "单元", "门牌号", "楼层", "专有面积"])
    for row in (
        ["1号楼", "1单元", "101", 1, 86.5],
        ["1号楼", "1单元", "102", 1, 72.3],
        ["1号楼", "2单元", "201", 2, 90],
    ):
        sheet.append(row)
    for column, width in zip("ABCDE", (10, 10, 10, 8, 12), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
