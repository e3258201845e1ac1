"""The one cache of small tables that staff rarely edit and every request reads: the categories, the
routing rules, who serves which place, the time limits and the working-day calendar.

A table is registered once, by the module that owns its rule, with the loader that reads it and the
models it is read from::

    ROUTING = readcache.Table("appeals.routing", load=_load, models=(RoutingRule, Category))
    table = ROUTING.get()          # loaded at most once per SECONDS in this process

The rule, the same for every table:

* `get()` answers from this process's copy while it is younger than `SECONDS` (60 s) and no table was
  changed since it was loaded; otherwise it calls the loader again.
* A save or delete of any of the models (post_save, post_delete, m2m_changed), and `changed()` for
  writes that send no signal (`bulk_create`, `QuerySet.update`), drops every table in this process at
  once and again when the transaction commits (a read between the write and its commit may have loaded
  the old rows), and moves a generation number kept in Django's cache: processes sharing that cache
  (`REDIS_URL`) reload on their next read; without a shared cache other processes see the change within
  `SECONDS`.
* The copies are shared by every request of the process: callers read them and never change them.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model, signals

SECONDS = 60.0
GENERATION_KEY = "shequ:readcache:generation"

T = TypeVar("T")

_lock = threading.Lock()
_tables: dict[str, Table] = {}
_watched: set[type[Model]] = set()


def _generation() -> str:
    """The generation in Django's cache (a fresh one when the cache has none, e.g. after `cache.clear()`)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        value = cache.get(GENERATION_KEY) or ""
    return value


class Table(Generic[T]):
    """A cached table: `get()` answers the loader's value under the module's rule."""

    def __init__(self, name: str, *, load: Callable[[], T], models: Iterable[type[Model]]) -> None:
        self.name = name
        self._load = load
        self._entry: tuple[float, str, T] | None = None
        with _lock:
            _tables[name] = self
        for model in models:
            watch(model)

    def get(self) -> T:
        now = time.monotonic()
        generation = _generation()
        entry = self._entry
        if entry is not None and now - entry[0] < SECONDS and entry[1] == generation:
            return entry[2]
        value = self._load()
        self._entry = (now, generation, value)
        return value

    def drop(self) -> None:
        self._entry = None


def clear() -> None:
    """Drop every table in this process (tests; `changed()` also tells the other processes)."""
    with _lock:
        tables = list(_tables.values())
    for table in tables:
        table.drop()


def changed() -> None:
    """Something the tables are read from was written: drop them now and after the commit."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    clear()
    transaction.on_commit(_after_commit)


def _after_commit() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    clear()


def _on_write(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    changed()


def watch(model: type[Model]) -> None:
    """Drop the tables whenever `model` is saved or deleted (its many-to-many fields' rows too)."""
    with _lock:
        if model in _watched:
            return
        _watched.add(model)
    uid = f"shequ.readcache:{model._meta.label}"
    signals.post_save.connect(_on_write, sender=model, dispatch_uid=f"{uid}:save")
    signals.post_delete.connect(_on_write, sender=model, dispatch_uid=f"{uid}:delete")
    for field in model._meta.local_many_to_many:
        through = field.remote_field.through
        signals.m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"{uid}:{field.name}")


def _on_m2m(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        changed()
