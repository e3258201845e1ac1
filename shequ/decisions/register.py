"""The owners' register (业主名册): import from Excel/CSV (all rows or none), link verified owner-residents.

Rows are read with the directory's spreadsheet reader (`shequ.directory.tabular.read_rows`) and the
register's own columns; one row per unit and owner. Co-owners of a unit are several rows of the same unit,
one marked 代表人; an owner with several units is the same name and phone on several rows; the developer's
unsold units carry 建设单位未售 = 是 and all belong to the compound's one developer owner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction

from shequ.accounts.models import Residency, User
from shequ.core import clock
from shequ.core.errors import Forbidden, Invalid
from shequ.decisions.models import AreaSource, ExclusiveUnit, Owner, Ownership, UnitKind
from shequ.decisions.rules import check_organiser
from shequ.directory.models import Party, Place, PlaceKind
from shequ.directory.tabular import Columns, RejectedRow, read_rows

COLUMNS = Columns(
    headers={
        "building": ("楼栋", "楼号", "楼栋号", "building"),
        "unit": ("单元", "单元号", "unit", "entrance"),
        "number": ("门牌号", "房号", "编号", "车位号", "铺位号", "household", "number", "room"),
        "kind": ("类型", "房屋类型", "kind", "type"),
        "area": ("专有面积", "专有部分面积", "面积", "area", "floor area"),
        "area_source": ("面积依据", "面积来源", "area source", "area_source"),
        "owner": ("业主", "业主姓名", "产权人", "owner", "owner name"),
        "phone": ("电话", "联系电话", "手机号", "phone"),
        "representative": ("代表人", "表决代表", "representative"),
        "developer": ("建设单位未售", "开发商未售", "未售", "developer unsold", "developer"),
    },
    required=("building", "number", "area", "owner"),
    labels={
        "building": "楼栋",
        "unit": "单元",
        "number": "门牌号",
        "kind": "类型",
        "area": "专有面积",
        "area_source": "面积依据",
        "owner": "业主",
        "phone": "电话",
        "representative": "代表人",
        "developer": "建设单位未售",
    },
)
HEADER_ROW = list(COLUMNS.labels.values())

YES = {"是", "y", "yes", "1", "true", "✓", "√"}
NO = {"", "否", "n", "no", "0", "false"}
KIND_WORDS = {
    "": UnitKind.HOUSEHOLD,
    "住宅": UnitKind.HOUSEHOLD,
    "household": UnitKind.HOUSEHOLD,
    "商铺": UnitKind.SHOP,
    "shop": UnitKind.SHOP,
    "车位": UnitKind.PARKING,
    "parking": UnitKind.PARKING,
}
SOURCE_WORDS = {
    "": AreaSource.REGISTERED,
    "登记": AreaSource.REGISTERED,
    "不动产登记簿": AreaSource.REGISTERED,
    "registered": AreaSource.REGISTERED,
    "实测": AreaSource.MEASURED,
    "测绘实测面积": AreaSource.MEASURED,
    "measured": AreaSource.MEASURED,
    "合同": AreaSource.CONTRACT,
    "买卖合同面积": AreaSource.CONTRACT,
    "contract": AreaSource.CONTRACT,
}


@dataclass
class RegisterReport:
    filename: str = ""
    rows: int = 0
    units: int = 0
    owners_created: int = 0
    linked: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def reject(self, row: int, problems: list[tuple[str, str]]) -> None:
        self.rejected.append(
            RejectedRow(
                row=row,
                reason_zh="；".join(p[0] for p in problems),
                reason_en="; ".join(p[1] for p in problems),
            )
        )

    def as_dict(self) -> dict:
        return {
            "filename": self.filename,
            "ok": self.ok,
            "rows": self.rows,
            "units": self.units,
            "owners_created": self.owners_created,
            "linked": self.linked,
            "rejected": [r.__dict__ for r in self.rejected],
        }


@dataclass
class _Row:
    number: int
    label: str
    building: Place
    household: Place | None
    kind: str
    area: Decimal
    area_source: str
    owner: str
    phone: str
    representative: bool | None
    developer: bool


def _flag(text: str) -> bool | None:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    return None


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _area(text: str) -> tuple[Decimal | None, tuple[str, str] | None]:
    try:
        area = Decimal(text.replace(",", "").replace("㎡", "").replace("m²", "").strip())
    except InvalidOperation:
        return None, (f"专有面积“{text}”不是数字", f"area {text!r} is not a number")
    if not area.is_finite() or area <= 0 or area >= 100000:
        return None, (f"专有面积“{text}”必须大于0且小于100000", f"area {text!r} must be positive")
    if area != area.quantize(Decimal("0.01")):
        return None, (f"专有面积“{text}”最多两位小数", f"area {text!r} has more than two decimals")
    return area.quantize(Decimal("0.01")), None


def _household_index(compound: Place) -> tuple[dict[str, Place], dict[tuple[int, str, str], Place]]:
    places = list(
        Place.objects.filter(
            compound=compound, kind__in=[PlaceKind.BUILDING, PlaceKind.HOUSEHOLD]
        ).select_related("unit")
    )
    buildings = {p.name: p for p in places if p.kind == PlaceKind.BUILDING}
    households = {
        (p.building_id or 0, p.unit.name if p.unit is not None else "", p.name): p
        for p in places
        if p.kind == PlaceKind.HOUSEHOLD
    }
    return buildings, households


def register_import(
    *, actor, organiser: Party, compound: Place, file: IO[bytes] | bytes, filename: str
) -> RegisterReport:
    """Import (or update) the register of a compound. Every row is checked first; when any row is rejected
    nothing is written and the report lists each rejected row with its reason in Chinese and English."""
    if compound.kind != PlaceKind.COMPOUND:
        raise Invalid(
            "只能导入小区的业主名册。", "Import the register of a compound.", code="import_target_invalid"
        )
    if not (getattr(actor, "is_superuser", False)):
        check_organiser(user=actor, party=organiser, place=compound)
    raw = read_rows(file, filename, COLUMNS)
    report = RegisterReport(filename=filename, rows=len(raw))
    buildings, households = _household_index(compound)
    parsed: list[_Row] = []
    for number, values in raw:
        problems: list[tuple[str, str]] = []
        bname = values.get("building", "")
        bname = f"{bname}号楼" if bname.isdigit() else bname
        uname = values.get("unit", "")
        uname = f"{uname}单元" if uname.isdigit() else uname
        num = values.get("number", "")
        kind = KIND_WORDS.get(values.get("kind", "").strip().lower())
        if kind is None:
            problems.append(
                (f"类型“{values.get('kind')}”应为住宅、商铺或车位", "kind must be 住宅, 商铺 or 车位")
            )
        source = SOURCE_WORDS.get(values.get("area_source", "").strip().lower())
        if source is None:
            problems.append(("面积依据应为登记、实测或合同", "area source must be 登记, 实测 or 合同"))
        area, problem = _area(values.get("area", ""))
        if problem:
            problems.append(problem)
        owner = values.get("owner", "").strip()
        if not owner:
            problems.append(("缺少业主姓名", "missing owner"))
        elif len(owner) > 100:
            problems.append(("业主姓名过长", "owner name too long"))
        phone = _digits(values.get("phone", ""))
        if values.get("phone") and len(phone) != 11:
            problems.append((f"电话“{values.get('phone')}”应为11位手机号", "phone must have 11 digits"))
        representative = _flag(values.get("representative", "")) if values.get("representative") else None
        if values.get("representative") and representative is None:
            problems.append(("代表人一栏应填“是”或“否”", "representative must be 是 or 否"))
        developer = _flag(values.get("developer", ""))
        if developer is None:
            problems.append(("建设单位未售一栏应填“是”或“否”", "developer unsold must be 是 or 否"))
        building = buildings.get(bname)
        if building is None:
            problems.append((f"小区里没有“{bname}”", f"no building {bname!r} in the compound"))
        if not num:
            problems.append(("缺少门牌号或编号", "missing number"))
        household = None
        if building is not None and num and kind == UnitKind.HOUSEHOLD:
            household = households.get((building.pk, uname, num))
            if household is None:
                problems.append(
                    (
                        f"目录中没有住户“{bname}{uname}{num}”",
                        f"no household {bname}{uname}{num} in the directory",
                    )
                )
        if problems:
            report.reject(number, problems)
            continue
        label = f"{bname}{uname}{num}" if kind == UnitKind.HOUSEHOLD else f"{bname}{num}"
        parsed.append(
            _Row(
                number=number,
                label=label,
                building=building,  # type: ignore[arg-type]
                household=household,
                kind=kind,  # type: ignore[arg-type]
                area=area,  # type: ignore[arg-type]
                area_source=source,  # type: ignore[arg-type]
                owner=owner,
                phone=phone,
                representative=representative,
                developer=bool(developer),
            )
        )
    # Whole-unit checks: one area per unit, one representative, developer rows not mixed with buyers.
    by_unit: dict[str, list[_Row]] = {}
    for row in parsed:
        by_unit.setdefault(row.label, []).append(row)
    developer_names = {r.owner for r in parsed if r.developer}
    if len(developer_names) > 1:
        for r in parsed:
            if r.developer:
                report.reject(
                    r.number,
                    [
                        (
                            "一个小区只能有一个建设单位",
                            "a compound has one developer; all unsold units are its",
                        )
                    ],
                )
    for label, rows in by_unit.items():
        problems = []
        if len({(r.area, r.area_source, r.kind) for r in rows}) > 1:
            problems.append((f"“{label}”各行的面积或类型不一致", f"rows of {label} disagree on area or kind"))
        if len({r.owner + r.phone for r in rows}) < len(rows):
            problems.append((f"“{label}”同一业主重复", f"{label} lists an owner twice"))
        reps = [r for r in rows if r.representative]
        if len(rows) > 1 and len(reps) != 1:
            problems.append(
                (
                    f"“{label}”有{len(rows)}位共有人，须且只能有一位代表人",
                    f"{label} needs exactly one representative",
                )
            )
        if any(r.developer for r in rows) and len(rows) > 1:
            problems.append(
                (f"“{label}”为建设单位未售，不能有其他产权人", f"{label} is unsold: one owner only")
            )
        if problems:
            report.reject(rows[0].number, problems)
    if not report.ok:
        report.rejected.sort(key=lambda r: r.row)
        return report

    with transaction.atomic():
        _write(compound=compound, by_unit=by_unit, report=report)
        report.linked = register_link_users(compound=compound)
    return report


def _write(*, compound: Place, by_unit: dict[str, list[_Row]], report: RegisterReport) -> None:
    """Write the checked rows set-based (a few queries whatever the size): new owners and units in bulk,
    changed units updated in one statement, their ownerships replaced."""
    now = clock.now()
    owners = {(o.name, o.phone, o.is_developer): o for o in Owner.objects.filter(compound=compound)}
    developer = next((o for o in owners.values() if o.is_developer), None)
    rows = [r for unit_rows in by_unit.values() for r in unit_rows]
    developer_row = next((r for r in rows if r.developer), None)
    if developer_row is not None and developer is not None and developer.name != developer_row.owner:
        developer.name = developer_row.owner
        developer.save(update_fields=["name", "updated_at"])
    wanted = {(r.owner, r.phone, False) for r in rows if not r.developer}
    new_owners = [Owner(compound=compound, name=n, phone=p) for n, p, _d in sorted(wanted - set(owners))]
    if developer_row is not None and developer is None:
        new_owners.append(
            Owner(compound=compound, name=developer_row.owner, phone=developer_row.phone, is_developer=True)
        )
    Owner.objects.bulk_create(new_owners, batch_size=500)
    report.owners_created += len(new_owners)
    if new_owners:
        owners = {(o.name, o.phone, o.is_developer): o for o in Owner.objects.filter(compound=compound)}
        developer = next((o for o in owners.values() if o.is_developer), None)
    units = {u.label: u for u in ExclusiveUnit.objects.filter(compound=compound)}
    changed = [units[label] for label in by_unit if label in units]
    for unit in changed:
        first = by_unit[unit.label][0]
        unit.area, unit.area_source, unit.kind = first.area, first.area_source, first.kind
        unit.developer_unsold, unit.updated_at = first.developer, now
    ExclusiveUnit.objects.bulk_update(
        changed, ["area", "area_source", "kind", "developer_unsold", "updated_at"], batch_size=500
    )
    Ownership.objects.filter(unit__in=[u.pk for u in changed]).delete()
    created = [
        ExclusiveUnit(
            compound=compound,
            building=first.building,
            household=first.household,
            kind=first.kind,
            label=label,
            area=first.area,
            area_source=first.area_source,
            developer_unsold=first.developer,
        )
        for label, unit_rows in by_unit.items()
        if label not in units
        for first in unit_rows[:1]
    ]
    ExclusiveUnit.objects.bulk_create(created, batch_size=500)
    if created:
        units = {u.label: u for u in ExclusiveUnit.objects.filter(compound=compound)}
    report.units += len(by_unit)
    Ownership.objects.bulk_create(
        [
            Ownership(
                unit=units[label],
                owner=developer if r.developer else owners[(r.owner, r.phone, False)],
                is_representative=len(unit_rows) == 1 or bool(r.representative),
            )
            for label, unit_rows in by_unit.items()
            for r in unit_rows
        ],
        batch_size=1000,
    )


def register_link_users(*, compound: Place) -> int:
    """Link owners of record to accounts: an account whose phone is the owner's and who is a *verified
    owner* of one of the owner's households. Tenants and family members are never linked."""
    candidates = list(
        Owner.objects.filter(compound=compound, user__isnull=True, is_developer=False).exclude(phone="")
    )
    if not candidates:
        return 0
    users = {u.phone: u for u in User.objects.filter(phone__in=[o.phone for o in candidates], is_active=True)}
    verified = set(
        Residency.objects.filter(
            user__in=users.values(),
            relation=Residency.Relation.OWNER,
            status=Residency.Status.VERIFIED,
            household__compound=compound,
        ).values_list("user_id", "household_id")
    )
    households: dict[int, set[int]] = {}
    for owner_id, household_id in Ownership.objects.filter(
        owner__in=candidates, unit__household__isnull=False
    ).values_list("owner_id", "unit__household_id"):
        households.setdefault(owner_id, set()).add(household_id)
    taken = set(Owner.objects.filter(compound=compound, user__isnull=False).values_list("user_id", flat=True))
    linked = 0
    for owner in candidates:
        user = users.get(owner.phone)
        if user is None or user.pk in taken:
            continue
        if any((user.pk, h) in verified for h in households.get(owner.pk, ())):
            owner.user = user
            owner.save(update_fields=["user", "updated_at"])
            taken.add(user.pk)
            linked += 1
    return linked


def owner_link(*, actor, organiser: Party, owner: Owner, user: User | None) -> Owner:
    """Link (or unlink, with None) an owner of record to an account by hand. The account must be a verified
    owner-resident of one of the owner's households — never a tenant."""
    check_organiser(user=actor, party=organiser, place=owner.compound)
    if user is not None:
        households = set(
            Ownership.objects.filter(owner=owner, unit__household__isnull=False).values_list(
                "unit__household_id", flat=True
            )
        )
        ok = Residency.objects.filter(
            user=user,
            household_id__in=households,
            relation=Residency.Relation.OWNER,
            status=Residency.Status.VERIFIED,
        ).exists()
        if not ok:
            raise Forbidden(
                "该账号不是这位业主房屋的已认证业主（租户不是业主）。",
                "This account is not a verified owner of the owner's household (tenants are not owners).",
                code="not_verified_owner",
            )
    owner.user = user
    owner.save(update_fields=["user", "updated_at"])
    return owner
