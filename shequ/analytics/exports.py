"""Excel ledgers (台账): openpyxl write-only workbooks — rows go to disk as they are produced, so a
100,000-row ledger needs constant memory — streamed back as a file. Chinese headers, column widths,
local date formats."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"


@dataclass
class Column:
    label: str
    width: int = 14
    kind: str = "text"  # text | int | pct | datetime | date


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: Iterable[Iterable[Any]]


def write_workbook(sheets: list[Sheet], target) -> int:
    """Write the sheets into `target` (a path or file); returns the number of data rows."""
    wb = Workbook(write_only=True)
    count = 0
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F3F4F6")
    for sheet in sheets:
        ws = wb.create_sheet(title=sheet.title[:31])
        for i, col in enumerate(sheet.columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = col.width
        ws.freeze_panes = "A2"
        header = []
        for col in sheet.columns:
            cell = WriteOnlyCell(ws, value=col.label)
            cell.font, cell.fill, cell.alignment = bold, fill, Alignment(vertical="center")
            header.append(cell)
        ws.append(header)
        converters = [_converter(ws, col) for col in sheet.columns]
        for row in sheet.rows:
            ws.append([convert(value) for convert, value in zip(converters, row, strict=False)])
            count += 1
    wb.save(target)
    return count


def _converter(ws, col: Column) -> Callable[[Any], Any]:
    """How one column's values become cells, decided once per column (not per cell): a styled cell for
    dates and percentages, the plain value otherwise (the cheapest thing openpyxl writes)."""
    zone = ZoneInfo(settings.TIME_ZONE)

    def styled(value: Any, number_format: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = number_format
        return cell

    def plain(value: Any) -> Any:
        if value is None or isinstance(value, str | int | float | datetime | date):
            return value
        return str(value)  # lazy translations (choice labels)

    def local_datetime(value: Any) -> Any:
        if isinstance(value, datetime):
            return styled(value.astimezone(zone).replace(tzinfo=None), DATETIME_FORMAT)
        return plain(value)

    def day(value: Any) -> Any:
        return styled(value, DATE_FORMAT) if isinstance(value, date) else plain(value)

    def percent(value: Any) -> Any:
        return None if value is None else styled(float(value), PERCENT_FORMAT)

    return {"datetime": local_datetime, "date": day, "pct": percent}.get(col.kind, plain)


def xlsx_response(sheets: list[Sheet], *, filename: str) -> FileResponse:
    """Build the workbook in a temporary file (spooled to disk) and stream it."""
    tmp = tempfile.TemporaryFile()
    write_workbook(sheets, tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX)
