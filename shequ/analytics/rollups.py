"""Maintaining the per-day rollups (the only writer of AppealFact / DailyRollup / RollupState).

Every change to an appeal writes an immutable AppealEvent, so "appeals changed since the watermark" are
the appeals of events with an id above it. `rollup_refresh()` takes those appeals, subtracts what their
old fact row contributed, adds what the current appeal contributes and moves the watermark — exact and
idempotent. It runs as the periodic job `analytics.rollup` (every worker, `shequ sweep`) and, cheaply,
before every read of the figures (`rollups_fresh()`), so a page never shows a stale rate.
`rollup_rebuild()` recomputes everything from the appeals (after a bulk load, or to reconcile) in two
set-based statements, the SQL twins of `fact_of` and `contributions`.

(Over 500 lines on purpose: each Python rule of a fact row and its SQL twin for the rebuild sit side by
side in one module, so that a change to one is seen next to the other and the two cannot drift apart.)
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Subquery

from shequ.analytics.models import (
    BAND_EDGES,
    BUCKETS,
    COUNT_FIELDS,
    RESOLVE_BUCKET_HOURS,
    AppealFact,
    DailyRollup,
    MonthlyBands,
    MonthlyRollup,
    RollupState,
)
from shequ.appeals.models import Appeal, AppealEvent, Rating
from shequ.core import clock

GOOD_RATINGS = (Rating.SATISFIED, Rating.BASICALLY)
STATE = "rollups"
# Events are numbered when inserted but become visible when their transaction commits; re-reading the
# last few hundred ids catches a transaction that committed behind a later one (re-applying is a no-op).
RESCAN_EVENTS = 500
FACT_FIELDS = tuple(
    f.name for f in AppealFact._meta.get_fields() if getattr(f, "concrete", False) and f.name != "appeal_id"
)
Key = tuple[date, int, int, int, int, int, str, str]
ROLLUP_DIMS = ("street_id", "community_id", "compound_id", "category_id", "party_id", "kind", "source")


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(value: datetime) -> date:
    return value.astimezone(_tz()).date()


def resolve_bucket(seconds: float) -> int:
    hours = seconds / 3600
    for i, bound in enumerate(RESOLVE_BUCKET_HOURS):
        if hours <= bound:
            return i
    return BUCKETS - 1


def resolve_band(seconds: int) -> int:
    """The band of `MonthlyRollup.bands` holding a duration: 0 under a minute, k for [BAND_EDGES[k-1],
    BAND_EDGES[k]), the last one open-ended."""
    return bisect_right(BAND_EDGES, seconds)


def _band_sql(column: str, lo: int = 0, hi: int = len(BAND_EDGES)) -> str:
    """`resolve_band` in SQL: a balanced CASE over the same integer edges (about nine comparisons a row),
    the same on PostgreSQL and SQLite. Returns the band among lo…hi (the edges BAND_EDGES[lo:hi])."""
    if lo == hi:
        return str(lo)
    mid = (lo + hi) // 2  # bands ≤ mid: seconds < BAND_EDGES[mid]
    return (
        f"CASE WHEN {column} < {BAND_EDGES[mid]} THEN {_band_sql(column, lo, mid)}"
        f" ELSE {_band_sql(column, mid + 1, hi)} END"
    )


def _seconds(created: datetime, resolved: datetime | None) -> int | None:
    if resolved is None:
        return None
    return max(0, int((resolved - created).total_seconds()))


def _appeal_rows(ids: Iterable[int] | None = None):
    qs = Appeal.objects.all()
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.values(
        "id",
        "street_id",
        "community_id",
        "compound_id",
        "building_id",
        "spot_id",
        "place_id",
        "category_id",
        "first_party_id",
        "responsible_party_id",
        "kind",
        "source",
        "status",
        "escalation_level",
        "created_at",
        "dispatched_at",
        "accepted_at",
        "accept_due_at",
        "resolve_due_at",
        "resolved_at",
        "rated_at",
        "rating",
        "solved",
    ).order_by()


def fact_of(row: dict[str, Any]) -> dict[str, Any]:
    """The fact columns of an appeal (0 for a missing id)."""
    return {
        "street_id": row["street_id"] or 0,
        "community_id": row["community_id"] or 0,
        "compound_id": row["compound_id"] or 0,
        "building_id": row["building_id"] or 0,
        "spot_id": row["spot_id"] or 0,
        "place_id": row["place_id"] or 0,
        "category_id": row["category_id"] or 0,
        # The first party stays accountable (首接负责), even after transfer, escalation or help.
        "party_id": row["first_party_id"] or row["responsible_party_id"] or 0,
        "kind": row["kind"],
        "source": row["source"],
        "status": row["status"],
        "escalated": (row["escalation_level"] or 0) > 0,
        "created_at": row["created_at"],
        "dispatched_at": row["dispatched_at"],
        "accepted_at": row["accepted_at"],
        "accept_due_at": row["accept_due_at"],
        "resolve_due_at": row["resolve_due_at"],
        "resolved_at": row["resolved_at"],
        "resolve_seconds": _seconds(row["created_at"], row["resolved_at"]),
        "rated_at": row["rated_at"],
        "rating": row["rating"],
        "solved": row["solved"],
    }


def contributions(fact: dict[str, Any]) -> list[tuple[Key, str, int]]:
    """(rollup key, count field, amount) triples one appeal adds to the rollups."""
    dims = (
        fact["street_id"],
        fact["community_id"],
        fact["compound_id"],
        fact["category_id"],
        fact["party_id"],
        fact["kind"],
        fact["source"],
    )
    out: list[tuple[Key, str, int]] = []
    created = (local_day(fact["created_at"]), *dims)
    out.append((created, "created", 1))
    if fact["escalated"]:
        out.append((created, "escalated", 1))
    if fact["dispatched_at"] is not None:
        key = (local_day(fact["dispatched_at"]), *dims)
        out.append((key, "dispatched", 1))
        acc, due = fact["accepted_at"], fact["accept_due_at"]
        if acc is not None and due is not None and acc <= due:
            out.append((key, "accepted_in_time", 1))
    if fact["resolved_at"] is not None:
        key = (local_day(fact["resolved_at"]), *dims)
        seconds = fact["resolve_seconds"]
        out += [
            (key, "resolved", 1),
            (key, "resolve_seconds", seconds),
            (key, f"h{resolve_bucket(seconds)}", 1),
            (key, f"b{resolve_band(seconds)}", 1),  # the month rows' histogram (not a day-row field)
        ]
    if fact["rating"] is not None and fact["rated_at"] is not None:
        key = (local_day(fact["rated_at"]), *dims)
        out.append((key, "rated", 1))
        if fact["solved"]:
            out.append((key, "solved", 1))
        if fact["rating"] in GOOD_RATINGS:
            out.append((key, "satisfied", 1))
    return out


def key_text(key: Key) -> str:
    return "|".join(str(part) for part in (key[0].isoformat(), *key[1:]))


def _apply(deltas: dict[Key, dict[str, int]]) -> int:
    """Add the per-day deltas to the day rows and, summed per month, to the month rows."""
    months: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, delta in deltas.items():
        month = months[(key[0].replace(day=1), *key[1:])]
        for name, amount in delta.items():
            month[name] += amount
    bands: dict[Key, dict[str, int]] = {}
    for key, delta in months.items():
        banded = {name[1:]: amount for name, amount in delta.items() if name[0] == "b" and amount}
        if banded:
            bands[key] = banded
    _apply_to(DailyRollup, "day", deltas)
    _apply_to(MonthlyRollup, "month", months)
    _apply_bands(bands)
    return len(deltas)


def _apply_bands(deltas: dict[Key, dict[str, int]]) -> None:
    """Add the band deltas {band: amount} to the month rows' histograms (a row goes when it empties)."""
    if not deltas:
        return
    texts = {key_text(k): k for k in deltas}
    existing = {r.key: r for r in MonthlyBands.objects.filter(key__in=list(texts))}
    create: list[MonthlyBands] = []
    update: list[MonthlyBands] = []
    delete: list[int] = []
    for text, key in texts.items():
        row = existing.get(text)
        if row is None:
            row = MonthlyBands(key=text, month=key[0], **dict(zip(ROLLUP_DIMS, key[1:], strict=True)))
            create.append(row)
        else:
            update.append(row)
        for band, amount in deltas[key].items():
            count = row.bands.get(band, 0) + amount
            if count:
                row.bands[band] = count
            else:
                row.bands.pop(band, None)
        if row.pk is not None and not row.bands:
            update.remove(row)
            delete.append(row.pk)
    MonthlyBands.objects.bulk_create(create, batch_size=1000)
    MonthlyBands.objects.bulk_update(update, ["bands"], batch_size=500)
    if delete:
        MonthlyBands.objects.filter(pk__in=delete).delete()


def _apply_to(model: type[DailyRollup] | type[MonthlyRollup], date_field: str, deltas) -> None:
    """Add the deltas to one rollup table (creating and deleting rows as counts appear and vanish)."""
    deltas = {k: {n: a for n, a in d.items() if n[0] != "b"} for k, d in deltas.items()}  # bands: not here
    deltas = {k: d for k, d in deltas.items() if any(d.values())}
    if not deltas:
        return
    texts = {key_text(k): k for k in deltas}
    existing: dict[str, Any] = {}
    names = list(texts)
    for i in range(0, len(names), 500):
        existing.update((r.key, r) for r in model.objects.filter(key__in=names[i : i + 500]))
    create: list[Any] = []
    update: list[Any] = []
    delete: list[int] = []
    for text, key in texts.items():
        row = existing.get(text)
        if row is None:
            dims = dict(zip(ROLLUP_DIMS, key[1:], strict=True))
            row = model(key=text, **{date_field: key[0]}, **dims)
            create.append(row)
        else:
            update.append(row)
        for name, amount in deltas[key].items():
            setattr(row, name, getattr(row, name) + amount)
        if row.pk is not None and not any(getattr(row, n) for n in COUNT_FIELDS):
            update.remove(row)
            delete.append(row.pk)
    if create:
        model.objects.bulk_create(create, batch_size=1000)
    if update:
        model.objects.bulk_update(update, COUNT_FIELDS, batch_size=500)
    if delete:
        model.objects.filter(pk__in=delete).delete()


def _claim_state() -> RollupState | None:
    RollupState.objects.get_or_create(name=STATE)
    qs = RollupState.objects.filter(name=STATE)
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True).first()  # another refresh is running: skip
    return qs.select_for_update().first()


def rollup_refresh(*, limit: int = 20000) -> int:
    """Roll up the appeals changed since the watermark; returns how many appeals were looked at."""
    newest = AppealEvent.objects.order_by("-id").values("id")[:1]
    seen = (
        RollupState.objects.filter(name=STATE).annotate(top=Subquery(newest)).values("last_event_id", "top")
    )
    row = seen.first()  # one query when the state exists (always, after the first refresh)
    top = row["top"] if row is not None else AppealEvent.objects.aggregate(m=Max("id"))["m"]
    if (top or 0) <= (row["last_event_id"] if row is not None else 0):
        return 0
    with transaction.atomic():
        state = _claim_state()
        if state is None:
            return 0
        start = max(0, state.last_event_id - RESCAN_EVENTS)
        events = list(
            AppealEvent.objects.filter(id__gt=start)
            .order_by("id")
            .values_list("id", "appeal_id")[: limit * 4]
        )
        if not events:
            return 0
        ids = {appeal_id for _id, appeal_id in events}
        _roll(ids)
        state.last_event_id = max(state.last_event_id, events[-1][0])
        state.refreshed_at = clock.now()
        state.save(update_fields=["last_event_id", "refreshed_at"])
    return len(ids)


def _roll(ids: set[int]) -> None:
    old = {f["appeal_id"]: f for f in AppealFact.objects.filter(appeal_id__in=list(ids)).values()}
    new = {row["id"]: fact_of(row) for row in _appeal_rows(ids)}
    deltas: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    changed: list[AppealFact] = []
    for appeal_id in ids:
        stored, after = old.get(appeal_id), new.get(appeal_id)
        before: dict[str, Any] | None = None
        if stored is not None:
            before = {k: stored[k] for k in FACT_FIELDS}  # type: ignore[literal-required]  # FACT_FIELDS are its keys
        if before == after:
            continue
        if before is not None:
            for key, name, amount in contributions(before):
                deltas[key][name] -= amount
        if after is not None:
            for key, name, amount in contributions(after):
                deltas[key][name] += amount
            changed.append(AppealFact(appeal_id=appeal_id, **after))
        else:
            AppealFact.objects.filter(appeal_id=appeal_id).delete()
    if changed:
        AppealFact.objects.bulk_create(
            changed, update_conflicts=True, unique_fields=["appeal_id"], update_fields=list(FACT_FIELDS)
        )
    _apply(deltas)


def rollups_fresh() -> None:
    """Bring the rollups up to date before a read (one indexed query when nothing changed)."""
    rollup_refresh()


def _day_sql(column: str) -> tuple[str, list]:
    """SQL for the local calendar day of a timestamp column — the database twin of `local_day`."""
    return connection.ops.datetime_cast_date_sql(column, [], settings.TIME_ZONE)


def _seconds_sql(later: str, earlier: str) -> str:
    """Whole seconds from `earlier` to `later`, truncated like `int(timedelta.total_seconds())`."""
    if connection.vendor == "postgresql":
        return f"TRUNC(EXTRACT(EPOCH FROM ({later} - {earlier})))::bigint"
    # Django's SQLite function gives microseconds; integer division truncates toward zero like int()
    return f"(django_timestamp_diff({later}, {earlier}) / 1000000)"


def _key_sql(dims: tuple[str, ...], date_column: str = "day") -> str:
    """The rollup key `key_text` builds: day|street|community|compound|category|party|kind|source."""
    if connection.vendor == "postgresql":
        return f"CONCAT_WS('|', to_char({date_column}, 'YYYY-MM-DD'), " + ", ".join(dims) + ")"
    return " || '|' || ".join((date_column, *dims))


def _insert_months(cursor) -> int:
    """The month rows, summed from the day rows in one INSERT … SELECT … GROUP BY."""
    d = ", ".join(ROLLUP_DIMS)
    if connection.vendor == "postgresql":
        month = "date_trunc('month', day)::date"
    else:
        month = "substr(day, 1, 8) || '01'"  # SQLite keeps a date as YYYY-MM-DD text
    sums = ", ".join(f"SUM({n})" for n in COUNT_FIELDS)
    cursor.execute(
        f"INSERT INTO {MonthlyRollup._meta.db_table} ({connection.ops.quote_name('key')}, month, {d},"  # noqa: S608
        f" {', '.join(COUNT_FIELDS)}) SELECT {_key_sql(ROLLUP_DIMS, 'month')}, month, {d}, {sums}"
        f" FROM (SELECT {month} AS month, {d}, {', '.join(COUNT_FIELDS)} FROM {DailyRollup._meta.db_table}) m"
        f" GROUP BY month, {d}"
    )
    return cursor.rowcount


def _insert_month_bands(cursor) -> int:
    """The month rows' histograms, counted from the facts in one INSERT … SELECT: per month key, {band:
    number of the appeals resolved that month in the band} (`resolve_band` in SQL)."""
    d = ", ".join(ROLLUP_DIMS)
    day_sql, params = _day_sql("resolved_at")
    if connection.vendor == "postgresql":
        month, agg = f"date_trunc('month', {day_sql})::date", "jsonb_object_agg(band::text, n)"
    else:
        month, agg = f"substr({day_sql}, 1, 8) || '01'", "json_group_object(band, n)"
    fact, table = AppealFact._meta.db_table, MonthlyBands._meta.db_table
    counted = (
        f"SELECT month, {d}, band, COUNT(*) AS n FROM (SELECT {month} AS month,"  # noqa: S608
        f" {d}, {_band_sql('resolve_seconds')} AS band FROM {fact} WHERE resolved_at IS NOT NULL) b"
        f" GROUP BY month, {d}, band"
    )
    cursor.execute(
        f"INSERT INTO {table} ({connection.ops.quote_name('key')}, month, {d}, bands)"  # noqa: S608
        f" SELECT {_key_sql(ROLLUP_DIMS, 'month')}, month, {d}, {agg} FROM ({counted}) c GROUP BY month, {d}",
        params,
    )
    return cursor.rowcount


def _insert_facts(cursor) -> int:
    """One INSERT … SELECT: the fact row of every appeal (`fact_of` in SQL)."""
    fact, appeal = AppealFact._meta.db_table, Appeal._meta.db_table
    ids = ("street_id", "community_id", "compound_id", "building_id", "spot_id", "place_id", "category_id")
    stamps: tuple[str, ...] = (
        "created_at",
        "dispatched_at",
        "accepted_at",
        "accept_due_at",
        "resolve_due_at",
    )
    stamps += ("resolved_at", "rated_at")
    columns: tuple[str, ...] = (
        "appeal_id",
        *ids,
        "party_id",
        "kind",
        "source",
        "status",
        "escalated",
        *stamps,
    )
    columns += ("rating", "solved", "resolve_seconds")
    secs = _seconds_sql("resolved_at", "created_at")
    values = (
        "id",
        *(f"COALESCE({c}, 0)" for c in ids),
        "COALESCE(first_party_id, responsible_party_id, 0)",  # 首接负责: the first party stays accountable
        "kind",
        "source",
        "status",
        "(COALESCE(escalation_level, 0) > 0)",
        *stamps,
        "rating",
        "solved",
        f"CASE WHEN {secs} < 0 THEN 0 ELSE {secs} END",  # NULL when unresolved, like `_seconds`
    )
    cursor.execute(
        f"INSERT INTO {fact} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {appeal}"  # noqa: S608
    )
    return cursor.rowcount


def _insert_rollups(cursor) -> int:
    """One INSERT … SELECT … GROUP BY over the facts: the union of what every appeal contributes on the
    day of each of its timestamps (`contributions` in SQL), summed per rollup key."""
    dims = ROLLUP_DIMS
    d = ", ".join(dims)
    zero = dict.fromkeys(COUNT_FIELDS, "0")
    params: list = []

    def part(day_column: str, counts: dict[str, str], source: str, where: str = "") -> str:
        day_sql, day_params = _day_sql(day_column)
        params.extend(day_params)
        picked = ", ".join(f"{counts.get(n, '0')} AS {n}" for n in zero)
        return f"SELECT {day_sql} AS day, {d}, {picked} FROM {source} {where}"

    fact = AppealFact._meta.db_table
    in_time = "accepted_at IS NOT NULL AND accept_due_at IS NOT NULL AND accepted_at <= accept_due_at"
    bounds = [hours * 3600 for hours in RESOLVE_BUCKET_HOURS]
    bucket = "CASE " + " ".join(f"WHEN secs <= {b} THEN {i}" for i, b in enumerate(bounds))
    bucket += f" ELSE {BUCKETS - 1} END"
    seconds = _seconds_sql("resolved_at", "created_at")
    resolved_src = (
        f"(SELECT {d}, resolved_at, CASE WHEN s < 0 THEN 0 ELSE s END AS secs"
        f" FROM (SELECT {d}, resolved_at, {seconds} AS s FROM {fact} WHERE resolved_at IS NOT NULL) r0) r1"
    )
    good = ", ".join(f"'{r}'" for r in GOOD_RATINGS)
    parts = [
        part("created_at", {"created": "1", "escalated": "CASE WHEN escalated THEN 1 ELSE 0 END"}, fact),
        part(
            "dispatched_at",
            {"dispatched": "1", "accepted_in_time": f"CASE WHEN {in_time} THEN 1 ELSE 0 END"},
            fact,
            "WHERE dispatched_at IS NOT NULL",
        ),
        part(
            "resolved_at",
            {
                "resolved": "1",
                "resolve_seconds": "secs",
                **{f"h{i}": f"CASE WHEN ({bucket}) = {i} THEN 1 ELSE 0 END" for i in range(BUCKETS)},
            },
            resolved_src,
        ),
        part(
            "rated_at",
            {
                "rated": "1",
                "solved": "CASE WHEN solved THEN 1 ELSE 0 END",
                "satisfied": f"CASE WHEN rating IN ({good}) THEN 1 ELSE 0 END",
            },
            fact,
            "WHERE rating IS NOT NULL AND rated_at IS NOT NULL",
        ),
    ]
    table = DailyRollup._meta.db_table
    sums = ", ".join(f"SUM({n})" for n in COUNT_FIELDS)
    cursor.execute(
        f"INSERT INTO {table} ({connection.ops.quote_name('key')}, day, {d}, {', '.join(COUNT_FIELDS)})"  # noqa: S608 — no user input
        f" SELECT {_key_sql(dims)}, day, {d}, {sums}"
        f" FROM ({' UNION ALL '.join(parts)}) u GROUP BY day, {d}",
        params,
    )
    return cursor.rowcount


def rollup_rebuild() -> int:
    """Recompute every fact and rollup row from the appeals, set-based: one INSERT … SELECT for the facts
    and one INSERT … SELECT … GROUP BY for the rollups (the SQL twins of `fact_of` and `contributions`,
    which the incremental refresh uses; `test_rollups.py` holds them equal). Returns the number of
    appeals. Readers wait for the rebuild's commit (PostgreSQL empties the tables with TRUNCATE)."""
    with transaction.atomic():
        state = _claim_state() or RollupState.objects.select_for_update().get(name=STATE)
        top = AppealEvent.objects.aggregate(m=Max("id"))["m"] or 0
        with connection.cursor() as cursor:
            tables = tuple(m._meta.db_table for m in (MonthlyBands, MonthlyRollup, DailyRollup, AppealFact))
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {', '.join(tables)}")
            else:
                for name in tables:
                    cursor.execute(f"DELETE FROM {name}")  # noqa: S608
            count = _insert_facts(cursor)
            _insert_rollups(cursor)
            _insert_months(cursor)
            _insert_month_bands(cursor)
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {', '.join(tables)}")
        state.last_event_id = top
        state.refreshed_at = clock.now()
        state.save(update_fields=["last_event_id", "refreshed_at"])
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:  # the visibility map: index-only reads of the new rows
            cursor.execute(f"VACUUM {', '.join(tables)}")
    return count
