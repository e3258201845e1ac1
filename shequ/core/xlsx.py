"""Excel exports (台账), the one place shequ writes workbooks:

- `Sheet` + `xlsx_response`: a small workbook built in memory (a meeting's minutes, a project's account),
  column widths fitted to the values; money stays `Decimal` and is written with two decimals;
- `Ledger` + `ledger_response`: a large ledger streamed through openpyxl's write-only mode — rows go to a
  temporary file as they are produced, so 100,000 rows need constant memory — with typed columns (Chinese
  headers, set widths, local dates, percentages), e.g. the dashboards' ledgers and the workbench queue.

Every app's export builds its rows through its own selector (the permission check lives there) and
hands them here.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[object]]


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    wb = Workbook(write_only=False)
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(title=sheet.title[:31])
        ws.append(list(sheet.header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([_cell(v) for v in row])
            for cell, value in zip(ws[ws.max_row], row, strict=False):
                if isinstance(value, Decimal):
                    cell.number_format = "0.00"
                elif isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
        for column in ws.columns:
            width = max((len(str(c.value or "")) for c in column), default=8)
            ws.column_dimensions[column[0].column_letter].width = min(max(width * 1.6, 8), 60)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# ---------------------------------------------------------------- streamed ledgers


@dataclass
class Column:
    label: str
    width: int = 14
    kind: str = "text"  # text | int | pct | datetime | date


@dataclass
class Ledger:
    """A streamed sheet: typed columns, rows produced lazily (a queryset iterator, a generator)."""

    title: str
    columns: list[Column]
    rows: Iterable[Iterable[Any]]


def write_workbook(sheets: list[Ledger], target) -> int:
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


def ledger_response(sheets: list[Ledger], *, filename: str) -> FileResponse:
    """Build the workbook in a temporary file (spooled to disk) and stream it."""
    tmp = tempfile.TemporaryFile()
    write_workbook(sheets, tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX)
