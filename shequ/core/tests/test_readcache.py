"""The one cache of small tables (`shequ.core.readcache`): a write is seen by the next read in this
process; another process's write within `SECONDS` (or at once through a shared cache's generation)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from shequ.appeals.models import Category
from shequ.core import readcache

pytestmark = pytest.mark.django_db


def _table(loads: list[int]) -> readcache.Table[set[str]]:
    def load() -> set[str]:
        loads.append(1)
        return set(Category.objects.values_list("code", flat=True))

    return readcache.Table("tests.categories", load=load, models=(Category,))


def test_read_once_then_from_the_process_copy(django_assert_num_queries):
    loads: list[int] = []
    table = _table(loads)
    with django_assert_num_queries(1):
        first = table.get()
        assert table.get() is first
    assert loads == [1]


def test_a_save_or_delete_in_this_process_is_seen_by_the_next_read():
    table = _table([])
    assert "kite" not in table.get()
    made = Category.objects.create(code="kite", name="风筝")
    assert "kite" in table.get()
    made.delete()
    assert "kite" not in table.get()


def test_a_write_without_signals_is_seen_after_changed():
    table = _table([])
    table.get()
    Category.objects.bulk_create([Category(code="kite", name="风筝")])
    assert "kite" not in table.get()  # bulk_create sends no signal …
    readcache.changed()  # … so its caller says so
    assert "kite" in table.get()


def test_another_process_write_is_seen_within_the_ttl(monkeypatch):
    table = _table([])
    table.get()
    # Another process wrote (no signal here, no shared cache): this copy serves until SECONDS pass.
    Category.objects.bulk_create([Category(code="kite", name="风筝")])
    start = readcache.time.monotonic()
    monkeypatch.setattr(readcache.time, "monotonic", lambda: start + readcache.SECONDS - 1)
    assert "kite" not in table.get()
    monkeypatch.setattr(readcache.time, "monotonic", lambda: start + readcache.SECONDS + 1)
    assert "kite" in table.get()


def test_another_process_write_is_seen_at_once_through_a_shared_cache():
    table = _table([])
    table.get()
    Category.objects.bulk_create([Category(code="kite", name="风筝")])
    cache.set(readcache.GENERATION_KEY, "moved by another process")  # what its `changed()` does
    assert "kite" in table.get()
