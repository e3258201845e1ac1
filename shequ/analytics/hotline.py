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
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from shequ.accounts.selectors import user_roles
from shequ.analytics.exports import Column, Sheet, write_workbook
from shequ.analytics.models import HotlineImport, HotlineMapping, HotlineMatch, HotlineOrder
from shequ.appeals.filing import appeal_create
from shequ.appeals.models import Category, Kind, Source, Status
from shequ.core import clock
from shequ.core.errors import Forbidden, Invalid, NotFound
from shequ.core.masking import mask_name, mask_phone
from shequ.directory.models import ACTING_ROLES, PartyKind, Place, PlaceKind, Role
from shequ.directory.tabular import Columns, read_rows

FIELDS = {
    "number": ("工单编号", "工单号", "热线工单号", "编号", "order_no", "number", "ticket"),
    "received_at": ("来电时间", "受理时间", "派单时间", "时间", "received_at", "created", "time"),
    "caller_name": ("来电人", "来电人姓名", "诉求人", "姓名", "caller", "caller_name", "name"),
    "caller_phone": ("来电号码", "联系电话", "电话", "caller_phone", "phone"),
    "address": ("地址", "事发地址", "诉求地址", "address"),
    "category": ("分类", "问题分类", "诉求分类", "类别", "category"),
    "content": ("内容", "诉求内容", "问题描述", "content", "description"),
    "deadline": ("办理时限", "截止时间", "时限", "deadline", "due"),
    "status": ("状态", "工单状态", "status"),
    "kind": ("诉求类型", "类型", "kind", "type"),
}
LABELS = {
    "number": "工单编号",
    "received_at": "来电时间",
    "caller_name": "来电人",
    "caller_phone": "来电号码",
    "address": "地址",
    "category": "分类",
    "content": "内容",
    "deadline": "办理时限",
    "status": "状态",
    "kind": "诉求类型",
}
REQUIRED = ("number", "received_at", "address", "category", "content")
KINDS = {
    "投诉": Kind.COMPLAINT,
    "求助": Kind.HELP,
    "举报": Kind.REPORT,
    "建议": Kind.SUGGESTION,
    "表扬": Kind.PRAISE,
}
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
)
FORMATS = ("xlsx", "csv", "json")
IMPORTER_KINDS = (PartyKind.STREET_OFFICE, PartyKind.RESIDENTS_COMMITTEE, PartyKind.PARTY_ORG)
# The orders carry the caller's name and phone: resident volunteers (楼组长, 网格员, 志愿者) acting for the
# committee are residents, not its staff, and do not handle them; observers only read.
HOTLINE_ROLES = ACTING_ROLES - {Role.BUILDING_LEADER, Role.GRID_WORKER, Role.VOLUNTEER}


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


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


def _under(area: Place) -> Q:
    return Q(street_id=area.pk) if area.kind == PlaceKind.STREET else Q(community_id=area.pk)


# ---------------------------------------------------------------- parsing one row


def columns_for(mapping: dict[str, str] | None) -> Columns:
    """The accepted headers: the remembered / chosen header of each field first, then the defaults."""
    headers = {
        k: ((mapping or {}).get(k, "").strip(), *v) if (mapping or {}).get(k) else v
        for k, v in FIELDS.items()
    }
    return Columns(headers=headers, required=REQUIRED, labels=LABELS)


def parse_time(text: str) -> datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    value: datetime | None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
        for fmt in TIME_FORMATS:
            try:
                value = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if value is None:
            raise ValueError(text)
    return value if value.tzinfo else value.replace(tzinfo=_tz())


def match_category(text: str, categories: list[Category]) -> Category | None:
    text = (text or "").strip()
    for c in categories:
        if text in (c.name, c.code):
            return c
    found = [c for c in categories if c.name and c.name in text]
    return max(found, key=lambda c: len(c.name)) if found else None


@dataclass
class AddressIndex:
    """The area's communities, compounds and buildings, for matching address text by name."""

    communities: list[Place]
    compounds: list[Place]
    buildings: dict[int, list[Place]]

    @classmethod
    def of(cls, area: Place) -> AddressIndex:
        under = _under(area) if area.kind == PlaceKind.STREET else Q(community_id=area.pk) | Q(pk=area.pk)
        places = list(
            Place.objects.filter(
                under, kind__in=(PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING)
            )
        )
        buildings: dict[int, list[Place]] = {}
        for p in places:
            if p.kind == PlaceKind.BUILDING and p.compound_id:
                buildings.setdefault(p.compound_id, []).append(p)
        longest = lambda p: -len(p.name)  # noqa: E731
        return cls(
            communities=sorted((p for p in places if p.kind == PlaceKind.COMMUNITY), key=longest),
            compounds=sorted((p for p in places if p.kind == PlaceKind.COMPOUND), key=longest),
            buildings={k: sorted(v, key=longest) for k, v in buildings.items()},
        )

    def match(self, text: str) -> tuple[Place | None, str]:
        compact = "".join((text or "").split())
        for compound in self.compounds:
            names = {compound.name, compound.name.removesuffix("小区")}
            hit = next((n for n in names if len(n) >= 2 and n in compact), None)
            if hit is None:
                continue
            rest = compact.split(hit, 1)[1]
            for b in self.buildings.get(compound.pk, []):
                aliases = {b.name, b.name.replace("号楼", "栋"), b.name.replace("号楼", "号")}
                if any(a and rest.startswith(a) or (a.endswith(("楼", "栋")) and a in rest) for a in aliases):
                    return b, HotlineMatch.BUILDING
            return compound, HotlineMatch.COMPOUND
        for community in self.communities:
            names = {community.name, community.name.removesuffix("社区")}
            if any(len(n) >= 2 and n in compact for n in names):
                return community, HotlineMatch.COMMUNITY
        return None, HotlineMatch.NONE


@dataclass
class Row:
    line: int
    number: str
    received_at: datetime
    deadline: datetime | None
    caller_name: str
    caller_phone: str
    address: str
    category: Category
    category_text: str
    content: str
    status: str
    kind: str


@dataclass
class Report:
    filename: str = ""
    file_format: str = ""
    rows: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    matched: int = 0
    unmatched: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def reject(self, line: int, zh: str, en: str) -> None:
        self.rejected.append({"row": line, "reason_zh": zh, "reason_en": en})

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "ok": self.ok}


def _parse(rows: list[tuple[int, dict[str, str]]], report: Report) -> list[Row]:
    categories = list(Category.objects.filter(is_active=True).order_by("-parent_id", "sort"))
    seen: dict[str, int] = {}
    out = []
    for line, v in rows:
        number = v.get("number", "").strip()
        problems: list[tuple[str, str]] = []
        if not number:
            problems.append(("缺少工单编号", "the order number is missing"))
        elif number in seen:
            problems.append(
                (f"与第 {seen[number]} 行工单编号重复", f"same order number as row {seen[number]}")
            )
        try:
            received = parse_time(v.get("received_at", ""))
            if received is None:
                problems.append(("缺少来电时间", "the call time is missing"))
        except ValueError:
            received = None
            problems.append(
                (f"来电时间无法识别：{v.get('received_at')}", f"bad call time: {v.get('received_at')}")
            )
        try:
            deadline = parse_time(v.get("deadline", ""))
        except ValueError:
            deadline = None
            problems.append((f"办理时限无法识别：{v.get('deadline')}", f"bad deadline: {v.get('deadline')}"))
        category = match_category(v.get("category", ""), categories)
        if category is None:
            problems.append((f"未知的分类：{v.get('category')}", f"unknown category: {v.get('category')}"))
        if not v.get("address", "").strip():
            problems.append(("缺少地址", "the address is missing"))
        if not v.get("content", "").strip():
            problems.append(("缺少内容", "the content is missing"))
        kind_text = v.get("kind", "").strip()
        kind = KINDS.get(kind_text, kind_text if kind_text in Kind.values else Kind.COMPLAINT)
        if kind == Kind.CONSULT:
            kind = Kind.HELP
        if problems:
            report.reject(line, "；".join(p[0] for p in problems), "; ".join(p[1] for p in problems))
            continue
        seen[number] = line
        assert received is not None and category is not None
        out.append(
            Row(
                line=line,
                number=number,
                received_at=received,
                deadline=deadline,
                caller_name=v.get("caller_name", "")[:50],
                caller_phone=v.get("caller_phone", "")[:32],
                address=v.get("address", "").strip()[:300],
                category=category,
                category_text=v.get("category", "")[:50],
                content=v.get("content", "").strip(),
                status=v.get("status", "")[:30],
                kind=kind,
            )
        )
    return out


def _format_of(filename: str) -> str:
    name = filename.lower()
    for fmt in FORMATS:
        if name.endswith("." + fmt):
            return fmt
    return "csv" if name.endswith(".txt") else ""


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


def _file(*, actor, row: Row, place: Place):
    """File the order through the one filing service: source hotline, the hotline's own deadline."""
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
        order.appeal = _file(actor=actor, row=row, place=community)
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
        write_workbook([Sheet("12345回复", EXPORT_COLUMNS, _export_rows(area))], buf)
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
