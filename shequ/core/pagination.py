"""Paging long lists without paying for rows that are not shown.

**One page shape for pages and API** (`list_page` → `ListPage`): the rows, a capped count ("1万+"),
and the `next` / `prev` cursors. A cursor is the sort key of the page's last (first) row, so the
next page is a keyset query — `WHERE (created_at, id) < (…)` in the list's order, served by the
list's index — and page 5,000 costs what page 1 costs. A page number (`?page=`) is still accepted
for shallow pages and old links (an offset, bounded by `MAX_PAGE`/`MAX_OFFSET`); the links the
product prints are cursors. Rows are loaded ids first (`fetch_page`).
"""

from __future__ import annotations

import base64
import binascii
import functools
import inspect
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar, cast, get_type_hints
from urllib.parse import urlencode

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.http import HttpRequest
from ninja import Field, Query, Schema

from shequ.core.errors import Invalid


def fetch_page(qs: QuerySet, start: int, stop: int) -> list:
    """A "deferred join": order and slice the primary keys alone (an index-only, join-free query),
    then load just those rows with the queryset's select_related/prefetch_related.

    A filtered, ordered queryset with many joins otherwise joins every matching row before sorting
    and cutting the page; this keeps a page's cost flat as the table grows.
    """
    return _load(qs, list(qs.values_list("pk", flat=True)[start:stop]))


def _load(qs: QuerySet, ids: list) -> list:
    """The rows of `ids`, in that order, with the queryset's select_related, prefetches, annotations
    and narrowed columns (`only`/`defer`).

    Without annotations the rows are fetched by primary key alone (the list's filters, often ORs
    and subqueries, are not planned twice). An annotated list is re-filtered by its own queryset, so
    each annotation is computed exactly as the list defines it, for the page's rows only."""
    if not ids:
        return []
    if qs.query.annotations and not qs.query.combinator:
        rows = qs.order_by().filter(pk__in=ids)
    else:
        rows = qs.model._default_manager.filter(pk__in=ids)
        rows.query.select_related = qs.query.select_related
        rows.query.deferred_loading = qs.query.deferred_loading
        # The stubs do not declare the queryset's list of prefetches; Django has no public reader for it.
        rows = rows.prefetch_related(*qs._prefetch_related_lookups)  # type: ignore[attr-defined]
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


COUNT_CAP = 10_000


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> int:
    """How many rows, counted no further than `cap` + 1 (shown as "1万+"): a count over a million
    visible rows costs as much as reading them; a list only needs to know there are more than a page."""
    return qs.order_by().values("pk")[: cap + 1].count()


# Bounds for every list of the product (issue #9, finding 8): no page, offset or limit a client sends
# can make the database compute an offset beyond these, and a wrong one is a clear 422, not a 500.
MAX_PAGE = 10_000
MAX_OFFSET = 200_000
MAX_LIMIT = 200

PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE, description=f"1 … {MAX_PAGE}")]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description=f"0 … {MAX_OFFSET}")]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"1 … {MAX_LIMIT}")]


# ---------------------------------------------------------------- keyset (cursor) pages


@dataclass(frozen=True)
class _Key:
    name: str
    desc: bool
    nulls_last: bool | None  # None: the column is never NULL (or its NULLs sort where the DB puts them)


def _keys(qs: QuerySet) -> list[_Key]:
    """The list's order as keys; the last one must be unique (the primary key) so a cursor is exact."""
    keys = []
    order = qs.query.order_by or (qs.model._meta.ordering if qs.query.default_ordering else ())
    for item in order:
        if isinstance(item, str):
            keys.append(_Key(item.lstrip("-"), item.startswith("-"), None))
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            nulls = True if item.nulls_last else (False if item.nulls_first else None)
            keys.append(_Key(cast(Any, item.expression).name, item.descending, nulls))
        else:
            raise TypeError(f"cannot page {item!r} by key")
    names = [k.name for k in keys]
    if keys and names[-1] not in ("pk", "id", qs.model._meta.pk.name):
        keys.append(_Key("pk", keys[-1].desc, None))  # the tie-break that makes a cursor exact
    if not keys:
        raise TypeError(f"a keyset page needs an ordered list, not {qs.model.__name__} unordered")
    return [_Key("pk", k.desc, None) if i == len(keys) - 1 else k for i, k in enumerate(keys)]


def _beyond(key: _Key, value: Any, *, desc: bool, nulls_last: bool | None) -> Q:
    """Rows strictly beyond `value` on one key, in the given direction."""
    if value is None:  # NULLs: beyond them only the non-NULLs when they sort first
        return Q(**{f"{key.name}__isnull": False}) if nulls_last is False else Q(pk__in=[])
    q = Q(**{f"{key.name}__{'lt' if desc else 'gt'}": value})
    return q | Q(**{f"{key.name}__isnull": True}) if nulls_last else q


def _after_q(keys: list[_Key], values: list, *, backwards: bool) -> Q:
    """`(k1, k2, …) > (v1, v2, …)` in the list's order (or before it, `backwards`)."""
    key, value = keys[0], values[0]
    desc = key.desc != backwards
    nulls_last = None if key.nulls_last is None else key.nulls_last != backwards
    beyond = _beyond(key, value, desc=desc, nulls_last=nulls_last)
    if len(keys) == 1:
        return beyond
    same = Q(**{f"{key.name}__isnull": True}) if value is None else Q(**{key.name: value})
    q = beyond | (same & _after_q(keys[1:], values[1:], backwards=backwards))
    if key.nulls_last is None and value is not None:
        # A range on the first key as well: the list's index (…, created_at) bounds the scan.
        q &= Q(**{f"{key.name}__{'lte' if desc else 'gte'}": value})
    return q


def _encode(values: list) -> str:
    plain = [v.isoformat() if isinstance(v, (datetime, date)) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BAD_CURSOR = ("分页参数无效，请从第一页重新浏览。", "Invalid page cursor; start again from the first page.")


def _decode(qs: QuerySet, keys: list[_Key], token: str) -> list:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        plain = json.loads(raw)
        if not isinstance(plain, list) or len(plain) != len(keys):
            raise ValueError
        values = []
        for key, value in zip(keys, plain, strict=True):
            model_field = qs.model._meta.pk if key.name == "pk" else qs.model._meta.get_field(key.name)
            if value is None and key.nulls_last is None:
                raise ValueError
            values.append(None if value is None else model_field.to_python(value))
        return values
    except (ValueError, TypeError, binascii.Error, ValidationError, FieldDoesNotExist, UnicodeError):
        raise Invalid(*BAD_CURSOR, code="cursor_invalid", fields={"after": "invalid"}) from None


@dataclass
class ListPage:
    """One page of a long list, the one shape of every list page and list endpoint: `items`, `count`
    (counted no further than COUNT_CAP + 1: `capped` means "1万+"), the `next` and `prev` cursors
    (None at either end), and `number` when the page was asked for by number."""

    items: list
    count: int
    next: str | None
    prev: str | None
    size: int
    number: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    # The names Django templates know from `Paginator` pages.
    @property
    def object_list(self) -> list:
        return self.items

    @object_list.setter
    def object_list(self, value: list) -> None:
        self.items = value

    @property
    def has_next(self) -> bool:
        return self.next is not None

    @property
    def has_previous(self) -> bool:
        return self.prev is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _one_cursor(after: str | None, before: str | None) -> None:
    """A page is asked after one cursor or before one, never both (422)."""
    if after and before:
        raise Invalid(
            "请只给出 after 或 before 中的一个。",
            "Give either after or before, not both.",
            code="cursor_invalid",
            fields={"before": "with after"},
        )


def list_page(
    qs: QuerySet,
    *,
    size: int,
    after: str | None = None,
    before: str | None = None,
    page: int | None = None,
) -> ListPage:
    """A page of the ordered queryset `qs`: after the cursor `after`, before the cursor `before`, or
    page number `page` (an offset; bounded), else the first page. 3 queries (count, keys, rows) plus
    the queryset's prefetches, whatever the depth."""
    _one_cursor(after, before)
    keys = _keys(qs)
    names = [k.name for k in keys]
    count = capped_count(qs)
    token = after or before
    backwards = bool(before)
    if token:
        values = _decode(qs, keys, token)
        window = qs.filter(_after_q(keys, values, backwards=backwards))
        if backwards:
            window = window.reverse()
        found = list(window.values_list(*names)[: size + 1])
        more = len(found) > size
        found = found[:size]
        if backwards:
            found.reverse()
        number = None
    else:
        number = page or 1
        start = (number - 1) * size
        if start > MAX_OFFSET:
            raise Invalid(
                f"页码太大（最多{MAX_OFFSET}条之后），请用“下一页”继续浏览。",
                f"Page too deep (offset over {MAX_OFFSET}); follow the next cursor instead.",
                code="page_too_deep",
                fields={"page": "too deep"},
            )
        found = list(qs.values_list(*names)[start : start + size + 1]) if start < count else []
        more = len(found) > size
        found = found[:size]
    rows = _load(qs, [k[-1] for k in found])  # the key tuples end with the primary key
    first = list(found[0]) if found else None
    last = list(found[-1]) if found else None
    if backwards:
        has_next, has_prev = True, more
    elif token:
        has_next, has_prev = more, True
    else:
        has_next, has_prev = more, bool(number and number > 1 and found)
    return ListPage(
        items=rows,
        count=count,
        next=_encode(last) if has_next and last else None,
        prev=_encode(first) if has_prev and first else None,
        size=size,
        number=number,
    )


# ---------------------------------------------------------------- the pages' one pager

PAGE_SIZE = 20
PAGING = ("page", "after", "before")


def page_of(request: HttpRequest, qs: QuerySet, size: int = PAGE_SIZE) -> ListPage:
    """The page a page's request asks for (`?after=` / `?before=` cursors, or `?page=` for old
    links): `list_page`, the same shape as the API's lists; shown by `core/_cursor_pager.html`."""
    number = request.GET.get("page", "")
    return list_page(
        qs,
        size=size,
        after=request.GET.get("after") or None,
        before=request.GET.get("before") or None,
        page=min(int(number), MAX_PAGE) if number.isdigit() and int(number) > 0 else None,
    )


def qs_without_page(request: HttpRequest, drop: tuple[str, ...] = PAGING) -> str:
    """The request's other query parameters (its filters), for the pager's links."""
    return urlencode([(k, v) for k, vs in request.GET.lists() for v in vs if k not in drop])


# ---------------------------------------------------------------- the API's one list envelope

T = TypeVar("T")


class PageQuery(Schema):
    """The paging parameters of every list operation of the API: `after` (the `next` cursor of the
    page before), `before` (the `prev` cursor of the page after), `page` for shallow pages, and
    `page_size` (1 … MAX_LIMIT). A bad value is a 422 with the Chinese and English message."""

    page: PageNumber | None = Field(None, description="for shallow pages; deeper, follow `next`")
    page_size: Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"1 … {MAX_LIMIT}")] = 50
    after: str | None = Field(None, max_length=200, description="the `next` cursor of the page before")
    before: str | None = Field(None, max_length=200, description="the `prev` cursor of the page after")


class Page(Schema, Generic[T]):
    """The one envelope of every list operation of the API (`ListPage`): follow `next` (a cursor,
    `?after=`) for the following page and `prev` (`?before=`) for the one before; null at either end."""

    items: list[T]
    count: int = Field(description=f"counted up to {COUNT_CAP + 1}: `capped` means more than {COUNT_CAP}")
    capped: bool
    next: str | None
    prev: str | None
    page: int | None = Field(description="the page number when asked by `page`, else null")
    page_size: int


def _sequence_page(
    rows: Sequence, *, size: int, after: str | None, before: str | None, page: int | None
) -> ListPage:
    """A page of a list already in memory (a short list: a tree, a matrix, a computed table), with
    the same cursors as a keyset page: a cursor is the position of the row it stands for."""
    _one_cursor(after, before)
    token = after or before
    number = None
    if token:
        try:
            plain = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            if not (isinstance(plain, list) and len(plain) == 1 and type(plain[0]) is int and plain[0] >= 0):
                raise ValueError
        except (ValueError, TypeError, binascii.Error, UnicodeError):
            raise Invalid(*BAD_CURSOR, code="cursor_invalid", fields={"after": "invalid"}) from None
        at = min(plain[0], len(rows))
        start, stop = (max(at - size, 0), at) if before else (at, at + size)
    else:
        number = page or 1
        start = (number - 1) * size
        stop = start + size
    items = list(rows[start:stop])
    return ListPage(
        items=items,
        count=len(rows),
        next=_encode([stop]) if stop < len(rows) and items else None,
        prev=_encode([start]) if start > 0 and (items or not token) else None,
        size=size,
        number=number,
    )


def api_page(
    rows: QuerySet | Sequence, query: PageQuery, *, present: Callable[[list], list] | None = None
) -> dict:
    """The body of a list operation (`Page`): a keyset page of an ordered queryset (`list_page`), or a
    page of a short list already in memory; `present` turns the page's rows into what is shown."""
    if isinstance(rows, QuerySet):
        found = list_page(rows, size=query.page_size, after=query.after, before=query.before, page=query.page)
    else:
        found = _sequence_page(
            rows, size=query.page_size, after=query.after, before=query.before, page=query.page
        )
    return {
        "items": present(found.items) if present else found.items,
        "count": found.count,
        "capped": found.capped,
        "next": found.next,
        "prev": found.prev,
        "page": found.number,
        "page_size": found.size,
    }


def paged(view: Callable) -> Callable:
    """Make a list operation answer the one envelope: the view returns its rows (an ordered queryset
    or a short list) and gains the paging parameters (`PageQuery`); declare `response=Page[RowOut]`."""
    hints = get_type_hints(view, include_extras=True)
    signature = inspect.signature(view)
    params = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()]
    params.append(inspect.Parameter("paging", inspect.Parameter.KEYWORD_ONLY, annotation=Query[PageQuery]))

    @functools.wraps(view)
    def paged_view(*args: Any, paging: PageQuery, **kwargs: Any) -> dict:
        return api_page(view(*args, **kwargs), paging)

    paged_view.__signature__ = signature.replace(  # type: ignore[attr-defined]  # read by inspect.signature
        parameters=params, return_annotation=inspect.Signature.empty
    )
    return paged_view
