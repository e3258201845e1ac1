"""Paging long lists without paying for rows that are not shown."""

from __future__ import annotations

from django.db.models import QuerySet


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
    rows = rows.prefetch_related(*qs._prefetch_related_lookups)
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]
