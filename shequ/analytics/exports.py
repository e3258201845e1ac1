"""Excel ledgers (台账): openpyxl write-only workbooks — rows go to disk as they are produced, so a
100,000-row ledger needs constant memory — streamed back as a file. Chinese headers, column widths,
local date formats."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
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


def _local(value: datetime) -> datetime:
    return value.astimezone(ZoneInfo(settings.TIME_ZONE)).replace(tzinfo=None)


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
        for row in sheet.rows:
            ws.append(list(_cells(ws, sheet.columns, row)))
            count += 1
    wb.save(target)
    return count


def _cells(ws, columns: list[Column], row: Iterable[Any]) -> Iterator[Any]:
    for col, value in zip(columns, row, strict=False):
        if value is None:
            yield None
        elif col.kind == "datetime" and isinstance(value, datetime):
            cell = WriteOnlyCell(ws, value=_local(value))
            cell.number_format = DATETIME_FORMAT
            yield cell
        elif col.kind == "date" and isinstance(value, date):
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = DATE_FORMAT
            yield cell
        elif col.kind == "pct":
            cell = WriteOnlyCell(ws, value=float(value))
            cell.number_format = PERCENT_FORMAT
            yield cell
        elif isinstance(value, str | int | float | datetime | date):
            yield value
        else:
            yield str(value)  # lazy translations (choice labels)


def xlsx_response(sheets: list[Sheet], *, filename: str) -> FileResponse:
    """Build the workbook in a temporary file (spooled to disk) and stream it."""
    tmp = tempfile.TemporaryFile()
    write_workbook(sheets, tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX)
