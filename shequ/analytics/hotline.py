"""The 12345 hotline exchange: import work orders (Excel, CSV or JSON through the directory's one
tabular reader) with a remembered column mapping, dedupe on the hotline number, match the address to
a place, file each as an appeal with source "hotline" through the appeals filing service keeping the
hotline's deadline, and export the results back in the same format.

All or nothing: every row is checked first; one bad row and nothing is written — the report lists each
rejected row in Chinese and English. A re-import updates orders, never duplicates them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from shequ.accounts.selectors import user_roles
from shequ.analytics.hotline_rows import (
    FIELDS,
    FORMATS,
    AddressIndex,
    Report,
    Row,
    _format_of,
    _parse,
    _tz,
    columns_for,
    match_category,
)
from shequ.analytics.models import HotlineImport, HotlineMapping, HotlineMatch, HotlineOrder
from shequ.appeals.filing import appeal_create
from shequ.appeals.models import Category, Kind, Source, Status
from shequ.core import clock
from shequ.core.errors import Forbidden, Invalid, NotFound
from shequ.core.masking import mask_name, mask_phone
from shequ.core.xlsx import Column, Ledger, write_workbook
from shequ.directory.models import ACTING_ROLES, PartyKind, Place, PlaceKind, Role
from shequ.directory.tabular import read_rows

IMPORTER_KINDS = (PartyKind.STREET_OFFICE, PartyKind.RESIDENTS_COMMITTEE, PartyKind.PARTY_ORG)
# The orders carry the caller's name and phone: resident volunteers (楼组长, 网格员, 志愿者) acting for the
# committee are residents, not its staff, and do not handle them; observers only read.
HOTLINE_ROLES = ACTING_ROLES - {Role.BUILDING_LEADER, Role.GRID_WORKER, Role.VOLUNTEER}


# ---------------------------------------------------------------- who may exchange with the hotline


def hotline_areas(*, user) -> list[Place]:
    """Streets (street office staff) and communities (residents' committee / party organisation staff)
    whose hotline orders the user may import, dispatch and export."""
    ids: set[int] = set()
    for m in user_roles(user=user).memberships:
        if m.role in HOTLINE_ROLES and m.party.kind in IMPORTER_KINDS:
            ids.update(p.place_id for p in m.party.served.all())
            if m.party.home_id:
                ids.add(m.party.home_id)
    return list(
        Place.objects.filter(pk__in=ids, kind__in=(PlaceKind.STREET, PlaceKind.COMMUNITY)).order_by(
            "kind", "name"
        )
    )


def access_hotline_area(*, user, area_id: int | None) -> Place:
    areas = hotline_areas(user=user)
    if not areas:
        raise Forbidden(
            "只有街道或社区工作人员可以处理12345工单。", "Only street or community staff handle 12345 orders."
        )
    if area_id is None:
        return areas[0]
    for area in areas:
        if area.pk == area_id:
            return area
    raise NotFound("没有找到这个地区。", "Area not found.")


def area_communities(*, area: Place) -> list[Place]:
    return list(
        Place.objects.filter(Q(pk=area.pk) | Q(street_id=area.pk), kind=PlaceKind.COMMUNITY).order_by("name")
    )


# ---------------------------------------------------------------- the import


def hotline_import(
    *, actor, area: Place, data: bytes, filename: str, mapping: dict[str, str] | None = None
) -> HotlineImport:
    """Import a 12345 file for a street or community the actor handles (see `access_hotline_area`)."""
    remembered = HotlineMapping.objects.filter(area=area).first()
    chosen = {k: v for k, v in (mapping or {}).items() if k in FIELDS and v}
    columns = chosen or (remembered.columns if remembered else {})
    report = Report(filename=filename[:200], file_format=_format_of(filename))
    try:
        rows = read_rows(data, filename, columns_for(columns))
    except Invalid as exc:
        report.reject(1, exc.message_zh, exc.message_en)
        return HotlineImport.objects.create(
            area=area,
            actor=actor,
            filename=report.filename,
            file_format=report.file_format,
            report=report.as_dict(),
        )
    report.rows = len(rows)
    parsed = _parse(rows, report)
    if not report.ok:
        return HotlineImport.objects.create(
            area=area,
            actor=actor,
            filename=report.filename,
            file_format=report.file_format,
            report=report.as_dict(),
        )
    index = AddressIndex.of(area)
    queue = unmatched_queue(area=area)
    with transaction.atomic():
        batch = HotlineImport.objects.create(
            area=area, actor=actor, filename=report.filename, file_format=report.file_format, ok=True
        )
        existing = {o.number: o for o in HotlineOrder.objects.filter(number__in=[r.number for r in parsed])}
        for row in parsed:
            order = existing.get(row.number)
            if order is not None:
                _update(order, row, batch, report)
                continue
            place, match = index.match(row.address)
            order = HotlineOrder(
                number=row.number,
                area=area,
                received_at=row.received_at,
                deadline=row.deadline,
                caller_name=row.caller_name,
                caller_phone=row.caller_phone,
                address_text=row.address,
                category_text=row.category_text,
                content=row.content,
                hotline_status=row.status,
                match=match,
                matched_place=place,
                last_import=batch,
            )
            if place is not None:
                order.appeal = _file(actor=actor, row=row, place=place)
                report.matched += match != HotlineMatch.COMMUNITY
                report.unmatched += match == HotlineMatch.COMMUNITY
            else:
                report.unmatched += 1
                if queue is not None:  # the community's dispatch queue, the address text in the appeal
                    order.appeal = _file(actor=actor, row=row, place=queue, to_dispatcher=True)
            order.save()
            report.imported += 1
        batch.report = report.as_dict()
        batch.save(update_fields=["report"])
        if chosen:
            HotlineMapping.objects.update_or_create(
                area=area, defaults={"columns": chosen, "updated_at": clock.now()}
            )
    return batch


UPDATABLE = ("caller_name", "caller_phone", "content", "hotline_status", "deadline", "category_text")


def _update(order: HotlineOrder, row: Row, batch: HotlineImport, report: Report) -> None:
    new = {
        "caller_name": row.caller_name,
        "caller_phone": row.caller_phone,
        "content": row.content,
        "hotline_status": row.status,
        "deadline": row.deadline,
        "category_text": row.category_text,
    }
    changed = [k for k, v in new.items() if getattr(order, k) != v]
    if not changed:
        report.unchanged += 1
        return
    for k in changed:
        setattr(order, k, new[k])
    order.last_import, order.updated_at = batch, clock.now()
    order.save(update_fields=[*changed, "last_import", "updated_at"])
    report.updated += 1


def unmatched_queue(*, area: Place) -> Place | None:
    """Where an order whose address matched no place is filed: the community imported for, or the only
    community of the street; None for a street of several communities (the street office sends each such
    order to a community: `hotline_order_assign`)."""
    if area.kind == PlaceKind.COMMUNITY:
        return area
    communities = list(Place.objects.filter(street_id=area.pk, kind=PlaceKind.COMMUNITY)[:2])
    return communities[0] if len(communities) == 1 else None


def _file(*, actor, row: Row, place: Place, to_dispatcher: bool = False):
    """File the order through the one filing service: source hotline, the hotline's own deadline;
    `to_dispatcher`: an unmatched address, held in the community's dispatch queue (not routed)."""
    with clock.frozen(row.received_at):
        return appeal_create(
            reporter=actor,
            filed_by=actor,
            kind=row.kind,
            category=row.category,
            place=place,
            text=f"{row.content}\n（12345工单 {row.number}，地址：{row.address}）",
            source=Source.HOTLINE,
            resolve_due_at=row.deadline,
            to_dispatcher=to_dispatcher,
        )


def hotline_order_assign(*, actor, order_id: int, community_id: int) -> HotlineOrder:
    """File an order whose address matched no place at a community the actor chooses (its dispatch queue)."""
    with transaction.atomic():
        order = HotlineOrder.objects.select_for_update().filter(pk=order_id, appeal__isnull=True).first()
        if order is None:
            raise NotFound("没有找到这张待分派的工单。", "No such unassigned order.")
        area = access_hotline_area(user=actor, area_id=order.area_id)
        community = (
            Place.objects.filter(pk=community_id, kind=PlaceKind.COMMUNITY)
            .filter(Q(pk=area.pk) | Q(street_id=area.pk))
            .first()
        )
        if community is None:
            raise Invalid(
                "请选择本地区的社区。", "Choose a community of this area.", code="community_invalid"
            )
        category = match_category(order.category_text, list(Category.objects.filter(is_active=True)))
        if category is None:
            raise Invalid("分类已停用。", "The category is no longer in use.", code="category_inactive")
        row = Row(
            line=0,
            number=order.number,
            received_at=order.received_at,
            deadline=order.deadline,
            caller_name=order.caller_name,
            caller_phone=order.caller_phone,
            address=order.address_text,
            category=category,
            category_text=order.category_text,
            content=order.content,
            status=order.hotline_status,
            kind=Kind.COMPLAINT,
        )
        order.appeal = _file(actor=actor, row=row, place=community, to_dispatcher=True)
        order.matched_place, order.match, order.updated_at = community, HotlineMatch.COMMUNITY, clock.now()
        order.save(update_fields=["appeal", "matched_place", "match", "updated_at"])
    return order


# ---------------------------------------------------------------- reading and exporting


def hotline_orders(*, area: Place) -> QuerySet[HotlineOrder]:
    return (
        HotlineOrder.objects.filter(area=area)
        .select_related("appeal", "matched_place", "matched_place__compound")
        .order_by("-received_at", "-id")
    )


@dataclass
class OrderView:
    """An order as shown in a list: the caller masked unless the viewer handles the hotline."""

    order: HotlineOrder
    caller_name: str
    caller_phone: str


def order_views(orders, *, full: bool) -> list[OrderView]:
    return [
        OrderView(
            o,
            o.caller_name if full else mask_name(o.caller_name),
            o.caller_phone if full else mask_phone(o.caller_phone),
        )
        for o in orders
    ]


EXPORT_COLUMNS = [
    Column("工单编号", 20),
    Column("状态", 10),
    Column("答复内容", 40),
    Column("来电时间", 17, "datetime"),
    Column("受理时间", 17, "datetime"),
    Column("签收时间", 17, "datetime"),
    Column("办结时间", 17, "datetime"),
    Column("办理时限", 17, "datetime"),
    Column("社区诉求编号", 18),
]


def _export_rows(area: Place):
    statuses = dict(Status.choices)
    for o in hotline_orders(area=area).iterator(chunk_size=1000):
        a = o.appeal
        yield [
            o.number,
            str(statuses.get(a.status, a.status)) if a else "待分派",
            a.outcome if a else "",
            o.received_at,
            a.created_at if a else None,
            a.accepted_at if a else None,
            a.resolved_at if a else None,
            a.resolve_due_at if a else o.deadline,
            a.number if a else "",
        ]


def hotline_export(*, area: Place, file_format: str) -> tuple[bytes, str]:
    """The results back to the hotline (number, status, reply text, times) as xlsx, csv or json."""
    if file_format not in FORMATS:
        raise Invalid(
            "格式只能是 xlsx、csv 或 json。", "Format must be xlsx, csv or json.", code="format_invalid"
        )
    if file_format == "xlsx":
        buf = io.BytesIO()
        write_workbook([Ledger("12345回复", EXPORT_COLUMNS, _export_rows(area))], buf)
        return buf.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def text(v: Any) -> str:
        if isinstance(v, datetime):
            return v.astimezone(_tz()).strftime("%Y-%m-%d %H:%M:%S")
        return "" if v is None else str(v)

    labels = [c.label for c in EXPORT_COLUMNS]
    if file_format == "json":
        items = [dict(zip(labels, map(text, r), strict=True)) for r in _export_rows(area)]
        return json.dumps(items, ensure_ascii=False, indent=1).encode(), "application/json"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(labels)
    for r in _export_rows(area):
        writer.writerow([text(v) for v in r])
    return ("\ufeff" + out.getvalue()).encode(), "text/csv; charset=utf-8"


def remembered_mapping(*, area: Place) -> dict[str, str]:
    found = HotlineMapping.objects.filter(area=area).first()
    return dict(found.columns) if found else {}


def last_format(*, area: Place) -> str:
    last = HotlineImport.objects.filter(area=area, ok=True).exclude(file_format="").first()
    return last.file_format if last else "xlsx"
