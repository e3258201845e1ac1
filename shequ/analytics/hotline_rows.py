"""Reading a 12345 hotline file, row by row: the fields and their default headers, the remembered
mapping, times, kinds, categories and addresses matched to the directory, and the row-by-row report in
Chinese and English. Nothing here writes; `shequ.analytics.hotline` imports the rows all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from shequ.analytics.models import HotlineMatch
from shequ.appeals.models import Category, Kind
from shequ.directory.models import ACTING_ROLES, PartyKind, Place, PlaceKind, Role
from shequ.directory.tabular import Columns

IMPORTER_KINDS = (PartyKind.STREET_OFFICE, PartyKind.RESIDENTS_COMMITTEE, PartyKind.PARTY_ORG)
# The orders carry the caller's name and phone: resident volunteers (楼组长, 网格员, 志愿者) acting for the
# committee are residents, not its staff, and do not handle them; observers only read.
HOTLINE_ROLES = ACTING_ROLES - {Role.BUILDING_LEADER, Role.GRID_WORKER, Role.VOLUNTEER}


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


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


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


def _under(area: Place) -> Q:
    return Q(street_id=area.pk) if area.kind == PlaceKind.STREET else Q(community_id=area.pk)


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
