"""REST of the 12345 hotline exchange under /api/v1/analytics/hotline/… — the same services and the same
permission as the page (`hotline.access_hotline_area`: the street office's or the community's acting staff;
observers and residents 403). An import is all or nothing: a bad file answers 422 with the row-by-row
report in Chinese and English and writes no order."""

from __future__ import annotations

import json
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from shequ.analytics import hotline, hotline_rows
from shequ.core.errors import Invalid
from shequ.core.pagination import Page, PageQuery, api_page, paged
from shequ.core.schemas import ERRORS, ErrorBody

router = Router(tags=["analytics"])


class AreaOut(Schema):
    id: int
    name: str
    kind: str


class MappingOut(Schema):
    area_id: int
    fields: dict[str, str]  # our field → its Chinese label
    required: list[str]
    columns: dict[str, str]  # the remembered mapping: our field → the file's header
    last_format: str


class RejectedRow(Schema):
    row: int
    reason_zh: str
    reason_en: str


class ReportOut(Schema):
    id: int
    area_id: int
    ok: bool
    filename: str
    file_format: str
    rows: int
    imported: int
    updated: int
    unchanged: int
    matched: int
    unmatched: int
    rejected: list[RejectedRow]

    @staticmethod
    def resolve_rows(obj) -> int:
        return obj.report.get("rows", 0)

    @staticmethod
    def resolve_imported(obj) -> int:
        return obj.report.get("imported", 0)

    @staticmethod
    def resolve_updated(obj) -> int:
        return obj.report.get("updated", 0)

    @staticmethod
    def resolve_unchanged(obj) -> int:
        return obj.report.get("unchanged", 0)

    @staticmethod
    def resolve_matched(obj) -> int:
        return obj.report.get("matched", 0)

    @staticmethod
    def resolve_unmatched(obj) -> int:
        return obj.report.get("unmatched", 0)

    @staticmethod
    def resolve_rejected(obj) -> list:
        return obj.report.get("rejected", [])


class RejectedOut(Schema):
    error: ErrorBody
    report: ReportOut | None = None  # absent when the request itself is wrong (e.g. the mapping)


class OrderOut(Schema):
    id: int
    number: str
    received_at: datetime
    deadline: datetime | None
    caller_name: str
    caller_phone: str
    address: str
    category: str
    content: str
    hotline_status: str
    match: str
    place: str
    appeal_id: int | None
    appeal_number: str | None
    appeal_status: str | None


class AssignIn(Schema):
    community_id: int


def _order(o) -> dict:
    a = o.appeal
    return {
        "id": o.pk,
        "number": o.number,
        "received_at": o.received_at,
        "deadline": o.deadline,
        "caller_name": o.caller_name,  # the hotline's handling staff see the caller, as on the page
        "caller_phone": o.caller_phone,
        "address": o.address_text,
        "category": o.category_text,
        "content": o.content,
        "hotline_status": o.hotline_status,
        "match": o.match,
        "place": o.matched_place.name if o.matched_place_id else "",
        "appeal_id": a.pk if a else None,
        "appeal_number": a.number if a else None,
        "appeal_status": a.status if a else None,
    }


@router.get(
    "/analytics/hotline/areas",
    response={200: Page[AreaOut], **ERRORS},
    summary="12345 地区 / Streets and communities whose hotline orders I handle",
)
@paged
def areas(request: HttpRequest):
    hotline.access_hotline_area(user=request.user, area_id=None)  # 403 for everyone else
    return hotline.hotline_areas(user=request.user)


@router.get(
    "/analytics/hotline/mapping",
    response={200: MappingOut, **ERRORS},
    summary="12345 列对应 / The fields and the area's remembered column mapping",
)
def mapping(request: HttpRequest, area: int | None = None):
    place = hotline.access_hotline_area(user=request.user, area_id=area)
    return {
        "area_id": place.pk,
        "fields": {k: str(hotline_rows.LABELS[k]) for k in hotline_rows.FIELDS},
        "required": list(hotline_rows.REQUIRED),
        "columns": hotline.remembered_mapping(area=place),
        "last_format": hotline.last_format(area=place),
    }


@router.post(
    "/analytics/hotline/imports",
    response={201: ReportOut, **ERRORS, 422: RejectedOut},
    summary="导入12345工单 / Import a 12345 file (xlsx, csv, json): all rows or none",
    description="Multipart: `file`, `area` (street or community id; default the first), optional "
    "`mapping` — a JSON object {field: header in the file}; it is remembered for the area. Orders are "
    "deduplicated on the order number: re-importing updates them and never files a second appeal. "
    "A bad file answers 422 with `report.rejected` listing each row and its reason (zh, en); nothing "
    "is written.",
)
def import_file(
    request: HttpRequest, file: File[UploadedFile], area: Form[int | None] = None, mapping: Form[str] = ""
):
    place = hotline.access_hotline_area(user=request.user, area_id=area)
    try:
        columns = json.loads(mapping) if mapping else {}
        if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
            raise ValueError
    except ValueError:
        raise Invalid(
            '列对应应为 JSON 对象，例如 {"number": "单号"}。',
            'The mapping must be a JSON object such as {"number": "单号"}.',
            fields={"mapping": "无效"},
        ) from None
    unknown = sorted(set(columns) - set(hotline_rows.FIELDS))
    if unknown:
        raise Invalid(
            f"未知的字段：{'、'.join(unknown)}。",
            f"Unknown fields: {', '.join(unknown)}.",
            fields={"mapping": "无效"},
        )
    batch = hotline.hotline_import(
        actor=request.user, area=place, data=file.read(), filename=file.name or "", mapping=columns
    )
    if not batch.ok:
        n = len(batch.report.get("rejected", []))
        return Status(
            422,
            {
                "error": {
                    "code": "import_rejected",
                    "message": f"有 {n} 行有误，没有导入任何工单。",
                    "message_zh": f"有 {n} 行有误，没有导入任何工单。",
                    "message_en": f"{n} row(s) are wrong; no order was imported.",
                    "fields": {},
                },
                "report": batch,
            },
        )
    return Status(201, batch)


@router.get(
    "/analytics/hotline/orders",
    response={200: Page[OrderOut], **ERRORS},
    summary="12345工单 / The area's orders (unmatched=true: the ones waiting to be sent to a community)",
)
def orders(request: HttpRequest, paging: Query[PageQuery], area: int | None = None, unmatched: bool = False):
    place = hotline.access_hotline_area(user=request.user, area_id=area)
    qs = hotline.hotline_orders(area=place).filter(appeal__isnull=unmatched)
    return api_page(qs, paging, present=lambda rows: [_order(o) for o in rows])


@router.post(
    "/analytics/hotline/orders/{int:order_id}/assign",
    response={200: OrderOut, **ERRORS},
    summary="分派到社区 / Send an unmatched order to a community (filed there, in its dispatch queue)",
)
def assign(request: HttpRequest, order_id: int, payload: AssignIn):
    order = hotline.hotline_order_assign(
        actor=request.user, order_id=order_id, community_id=payload.community_id
    )
    return _order(order)


@router.get(
    "/analytics/hotline/export",
    response={200: None, **ERRORS},
    summary="导出答复 / The results back to the hotline (format=xlsx|csv|json; default the last import's)",
)
def export(request: HttpRequest, area: int | None = None, format: str = ""):  # noqa: A002 — the query name
    place = hotline.access_hotline_area(user=request.user, area_id=area)
    fmt = format or hotline.last_format(area=place)
    data, content_type = hotline.hotline_export(area=place, file_format=fmt)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="12345-reply-{place.pk}.{fmt}"'
    return response
