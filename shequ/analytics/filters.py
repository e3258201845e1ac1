"""What a dashboard is about (`Filters`: an area, a period of months, optional filters), their parsing
with zh/en errors, and the filtered reads every figure starts from: the month rows, the day rows, the
facts. Shared by the dashboards, the place figures, the percentiles, the exports and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from time import monotonic
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet

from shequ.analytics.models import AppealFact, DailyRollup, MonthlyRollup
from shequ.analytics.rates import month_days, recent_months
from shequ.appeals.models import OPEN_STATUSES, Appeal, Category, Kind, Source
from shequ.core.errors import Invalid

SPANS = (1, 3, 6, 12)


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Filters:
    """What a dashboard is about: a street or a community, a period of `span` months ending with
    `month`, and optional filters."""

    street_id: int | None = None
    community_id: int | None = None
    month: str = ""
    span: int = 1
    compound_id: int | None = None
    category_id: int | None = None
    party_id: int | None = None
    kind: str = ""
    source: str = ""

    @property
    def months(self) -> list[str]:
        return recent_months(self.span, upto=self.month)

    @property
    def days(self) -> tuple[date, date]:
        names = self.months
        return month_days(names[0])[0], month_days(names[-1])[1]

    @property
    def previous(self) -> Filters:
        first = self.months[0]
        before = recent_months(2, upto=first)[0]
        return Filters(**{**self.__dict__, "month": before})

    def as_query(self) -> dict[str, str]:
        out = {"month": self.month, "span": str(self.span)}
        for name in ("compound_id", "category_id", "party_id", "kind", "source"):
            value = getattr(self, name)
            if value:
                out[name.removesuffix("_id")] = str(value)
        return out


def parse_filters(
    *,
    month: str,
    span: int | str | None = 1,
    compound: str | int | None = None,
    category: str | int | None = None,
    party: str | int | None = None,
    kind: str | None = "",
    source: str | None = "",
) -> dict:
    """Validate the shared filter inputs of pages, exports and the API (zh + en errors)."""

    def ident(value, name: str) -> int | None:
        if value in (None, ""):
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise Invalid(
                f"{name} 无效。", f"{name} is invalid.", code="filter_invalid", fields={name: "invalid"}
            )

    month_days(month)  # raises Invalid on a bad month
    try:
        span_n = int(span or 1)
    except (TypeError, ValueError):
        span_n = 0
    if span_n not in SPANS:
        raise Invalid(
            "统计周期只能是 1、3、6 或 12 个月。", "span must be 1, 3, 6 or 12.", code="span_invalid"
        )
    if kind and kind not in Kind.values:
        raise Invalid("类型无效。", "Unknown kind.", code="kind_invalid", fields={"kind": "invalid"})
    if source and source not in Source.values:
        raise Invalid("来源无效。", "Unknown source.", code="source_invalid", fields={"source": "invalid"})
    return {
        "month": month,
        "span": span_n,
        "compound_id": ident(compound, "compound"),
        "category_id": ident(category, "category"),
        "party_id": ident(party, "party"),
        "kind": kind or "",
        "source": source or "",
    }


def _category_ids(category_id: int) -> list[int]:
    """A category and its children (from the cached tree: no query)."""
    return [category_id, *(pk for pk, parent in _tree().parents.items() if parent == category_id)]


def rollup_rows(f: Filters, *, start: date | None = None, end: date | None = None) -> QuerySet[DailyRollup]:
    """The day rows of the area and filters in [start, end) (default: the period)."""
    s, e = f.days
    return _filtered(DailyRollup.objects.filter(day__gte=start or s, day__lt=end or e), f)


def month_rows(
    f: Filters, *, start: date | None = None, end: date | None = None, source: bool = True
) -> QuerySet[MonthlyRollup]:
    """The month rows of the area and filters whose month starts in [start, end) (default: the period);
    `source=False` leaves the source filter out (the hotline measure compares the sources)."""
    s, e = f.days
    qs = _filtered(MonthlyRollup.objects.filter(month__gte=start or s, month__lt=end or e), f, source=source)
    return qs


def _filtered(qs, f: Filters, *, source: bool = True):
    if f.community_id:
        qs = qs.filter(community_id=f.community_id)
    elif f.street_id:
        qs = qs.filter(street_id=f.street_id)
    if f.compound_id:
        qs = qs.filter(compound_id=f.compound_id)
    if f.category_id:
        qs = qs.filter(category_id__in=_category_ids(f.category_id))
    if f.party_id:
        qs = qs.filter(party_id=f.party_id)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.source and source:
        qs = qs.filter(source=f.source)
    return qs


def _appeals(f: Filters) -> QuerySet[Appeal]:
    qs = Appeal.objects.all()
    if f.community_id:
        qs = qs.filter(community_id=f.community_id)
    elif f.street_id:
        qs = qs.filter(street_id=f.street_id)
    if f.compound_id:
        qs = qs.filter(compound_id=f.compound_id)
    if f.category_id:
        qs = qs.filter(category_id__in=_category_ids(f.category_id))
    if f.party_id:
        qs = qs.filter(
            Q(first_party_id=f.party_id) | Q(first_party__isnull=True, responsible_party_id=f.party_id)
        )
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.source:
        qs = qs.filter(source=f.source)
    return qs


def _facts(f: Filters) -> QuerySet[AppealFact]:
    """The facts of the appeals filed in the period, with the area and filters."""
    s, e = f.days
    start = datetime.combine(s, time(), tzinfo=_tz())
    end = datetime.combine(e, time(), tzinfo=_tz())
    return _filtered(AppealFact.objects.filter(created_at__gte=start, created_at__lt=end), f)


def open_facts(f: Filters) -> QuerySet[AppealFact]:
    """The facts of the area's open appeals now (the partial index `an_fact_open`), with the filters."""
    return _filtered(AppealFact.objects.filter(status__in=sorted(OPEN_STATUSES)), f)


@dataclass(frozen=True)
class CategoryTree:
    roots: dict[int, int]  # category id → its top-level category id
    names: dict[int, str]
    parents: dict[int, int]  # 0 or None: top level
    codes: dict[str, int]  # code → id


_ROOTS: dict[str, object] = {}
ROOTS_SECONDS = 60


def _root_of() -> dict[int, int]:
    """Category id → its top-level category id (the tree is staff configuration: kept for a minute)."""
    return _tree().roots


def category_names() -> dict[int, str]:
    return _tree().names


def category_codes() -> dict[str, int]:
    return _tree().codes


def _tree() -> CategoryTree:
    at = _ROOTS.get("at")
    if isinstance(at, float) and monotonic() - at < ROOTS_SECONDS:
        return _ROOTS["tree"]  # type: ignore[return-value]  # stored below
    rows = list(Category.objects.values_list("pk", "parent_id", "name", "code"))
    parent = {pk: p for pk, p, _n, _c in rows}
    roots = {}
    for pk, _p, _n, _c in rows:
        node = pk
        while parent.get(node):
            node = parent[node]
        roots[pk] = node
    tree = CategoryTree(
        roots=roots,
        names={pk: name for pk, _p, name, _c in rows},
        parents=parent,
        codes={code: pk for pk, _p, _n, code in rows if code},
    )
    _ROOTS.update(at=monotonic(), tree=tree)
    return tree
