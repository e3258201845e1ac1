"""Paging long lists without paying for rows that are not shown."""

from __future__ import annotations

from typing import Annotated

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination


def fetch_page(qs: QuerySet, start: int, stop: int) -> list:
    """A "deferred join": order and slice the primary keys alone (an index-only, join-free query),
    then load just those rows with the queryset's select_related/prefetch_related.

    A filtered, ordered queryset with many joins otherwise joins every matching row before sorting
    and cutting the page; this keeps a page's cost flat as the table grows.
    """
    ids = list(qs.values_list("pk", flat=True)[start:stop])
    if not ids:
        return []
    rows = qs.model._default_manager.filter(pk__in=ids)
    rows.query.select_related = qs.query.select_related
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


class BoundedPageNumberPagination(PageNumberPagination):
    """django-ninja's page-number pagination with the page and page size bounded."""

    class Input(Schema):
        page: PageNumber = 1
        page_size: Annotated[int, Field(ge=1, le=MAX_LIMIT)] | None = None
