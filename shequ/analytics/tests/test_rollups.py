"""Every rollup figure equals the same figure computed from the raw appeals, on random histories
driven through the real services (incremental refreshes at random points, then a rebuild)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncDate

from shequ.analytics.models import (
    BAND_EDGES,
    COUNT_FIELDS,
    AppealFact,
    DailyRollup,
    MonthlyBands,
    MonthlyRollup,
    RollupState,
)
from shequ.analytics.rates import party_rates, place_rates
from shequ.analytics.rollups import (
    key_text,
    local_day,
    resolve_band,
    resolve_bucket,
    rollup_rebuild,
    rollup_refresh,
)
from shequ.appeals.models import Appeal, Rating
from shequ.appeals.services import appeal_transition
from shequ.core import clock
from shequ.core.errors import DomainError

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 9, 1, 8, 0, tzinfo=SH)
DIMS = ("street_id", "community_id", "compound_id", "category_id", "party_id", "kind", "source")


def _random_history(world, file_appeal, seed: int, n: int) -> None:
    rng = random.Random(seed)
    places = [
        (world.resident_a, world.household_a, world.handler_x),
        (world.resident_a2, world.household_a2, world.handler_x),
        (world.resident_b, world.household_b, world.handler_y),
    ]
    categories = ["lift", "water", "heating", "environment"]
    for _i in range(n):
        reporter, household, handler = rng.choice(places)
        when = T0 + timedelta(hours=rng.randint(0, 24 * 80), minutes=rng.randint(0, 59))
        with clock.frozen(when):
            try:
                appeal = file_appeal(
                    reporter=reporter,
                    place=household,
                    category=rng.choice(categories),
                    urgency=rng.choice(["normal", "urgent", "emergency"]),
                    kind=rng.choice(["help", "complaint"]),
                )
            except DomainError:
                continue
        steps = rng.choice(
            [
                [],
                ["accept"],
                ["accept", "resolve"],
                ["accept", "resolve", "rate"],
                ["accept", "resolve", "rate", "resolve", "rate"],
                ["escalate"],
                ["accept", "pause", "resume", "resolve", "rate"],
            ]
        )
        for action in steps:
            when += timedelta(minutes=rng.choice([5, 20, 90, 300, 60 * 30, 60 * 24 * 5]))
            actor = {"rate": reporter, "escalate": None}.get(action, handler)
            data: dict = {}
            if action in ("resolve", "pause"):
                data["text"] = "处理"
            if action == "rate":
                data = {"solved": rng.random() < 0.7, "rating": rng.choice(list(Rating.values))}
            with clock.frozen(when):
                try:
                    appeal = appeal_transition(appeal=appeal, actor=actor, action=action, **data)
                except DomainError:
                    break
        if rng.random() < 0.3:
            rollup_refresh()


def _raw_by_day(stamp: str, extra: Q | None = None, **sums) -> Counter:
    """Raw counts from the appeals: (day, community, compound, category, accountable party) → count."""
    qs = Appeal.objects.filter(**{f"{stamp}__isnull": False})
    if extra is not None:
        qs = qs.filter(extra)
    rows = (
        qs.annotate(
            d=TruncDate(stamp, tzinfo=SH), p=Coalesce("first_party_id", "responsible_party_id", default=0)
        )
        .values("d", "community_id", "compound_id", "category_id", "p", "kind", "source")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Counter(
        {
            (
                r["d"],
                r["community_id"] or 0,
                r["compound_id"] or 0,
                r["category_id"],
                r["p"],
                r["kind"],
                r["source"],
            ): r["n"]
            for r in rows
        }
    )


def _rolled(field: str) -> Counter:
    rows = (
        DailyRollup.objects.values(
            "day", "community_id", "compound_id", "category_id", "party_id", "kind", "source"
        )
        .annotate(n=Sum(field))
        .order_by()
    )
    return Counter(
        {
            (
                r["day"],
                r["community_id"],
                r["compound_id"],
                r["category_id"],
                r["party_id"],
                r["kind"],
                r["source"],
            ): r["n"]
            for r in rows
            if r["n"]
        }
    )


def _assert_months_equal_days() -> None:
    """Every month row is the sum of its days (and no month row is left without days)."""
    days: dict[tuple, Counter] = {}
    for r in DailyRollup.objects.values("day", *DIMS, *COUNT_FIELDS):
        key = (r["day"].replace(day=1), *(r[n] for n in DIMS))
        days.setdefault(key, Counter()).update({n: r[n] for n in COUNT_FIELDS})
    months = {
        (r["month"], *(r[n] for n in DIMS)): Counter({n: r[n] for n in COUNT_FIELDS})
        for r in MonthlyRollup.objects.values("month", *DIMS, *COUNT_FIELDS)
    }
    assert months == {k: +c for k, c in days.items()}
    assert all(
        r.key == key_text((r.month, *(getattr(r, n) for n in DIMS))) for r in MonthlyRollup.objects.all()
    )


def _assert_rollups_equal_raw() -> None:
    _assert_months_equal_days()
    assert _rolled("created") == _raw_by_day("created_at")
    assert _rolled("escalated") == _raw_by_day("created_at", Q(escalation_level__gt=0))
    assert _rolled("dispatched") == _raw_by_day("dispatched_at")
    assert _rolled("accepted_in_time") == _raw_by_day(
        "dispatched_at", Q(accepted_at__isnull=False, accepted_at__lte=F("accept_due_at"))
    )
    assert _rolled("resolved") == _raw_by_day("resolved_at")
    rated = Q(rating__isnull=False)
    assert _rolled("rated") == _raw_by_day("rated_at", rated)
    assert _rolled("solved") == _raw_by_day("rated_at", rated & Q(solved=True))
    assert _rolled("satisfied") == _raw_by_day("rated_at", rated & Q(rating__in=["satisfied", "basically"]))
    # resolution times: total seconds and the duration buckets
    raw_seconds = sum(
        max(0, int((a.resolved_at - a.created_at).total_seconds()))  # a clock skew counts as 0 s
        for a in Appeal.objects.exclude(resolved_at=None)
    )
    assert (DailyRollup.objects.aggregate(s=Sum("resolve_seconds"))["s"] or 0) == raw_seconds
    raw_buckets = Counter(
        resolve_bucket(max(0, int((a.resolved_at - a.created_at).total_seconds())))  # whole seconds
        for a in Appeal.objects.exclude(resolved_at=None)
    )
    rolled = DailyRollup.objects.aggregate(**{f"h{i}": Sum(f"h{i}") for i in range(10)})
    assert {i: rolled[f"h{i}"] or 0 for i in range(10) if rolled[f"h{i}"]} == dict(raw_buckets)
    # the month rows' banded histograms: per month and accountable party, the raw appeals' bands
    raw_bands = Counter(
        (
            local_day(a.resolved_at).replace(day=1),
            a.first_party_id or a.responsible_party_id or 0,
            resolve_band(max(0, int((a.resolved_at - a.created_at).total_seconds()))),
        )
        for a in Appeal.objects.exclude(resolved_at=None)
    )
    rolled_bands: Counter = Counter()
    resolved = dict(MonthlyRollup.objects.filter(resolved__gt=0).values_list("key", "resolved"))
    histograms = {r["key"]: r for r in MonthlyBands.objects.values("key", "month", "party_id", "bands")}
    assert set(histograms) == set(resolved)  # a histogram for each month row that resolved something
    for key, r in histograms.items():
        assert sum(r["bands"].values()) == resolved[key] and all(r["bands"].values())
        rolled_bands.update({(r["month"], r["party_id"], int(b)): n for b, n in r["bands"].items()})
    assert rolled_bands == raw_bands


def _raw_rates(party_id: int, month_start: datetime, month_end: datetime) -> tuple[int, ...]:
    acc = Coalesce("first_party_id", "responsible_party_id")
    base = Appeal.objects.annotate(acc=acc).filter(acc=party_id)
    disp = base.filter(dispatched_at__gte=month_start, dispatched_at__lt=month_end)
    rated = base.filter(rating__isnull=False, rated_at__gte=month_start, rated_at__lt=month_end)
    return (
        disp.count(),
        disp.filter(accepted_at__isnull=False, accepted_at__lte=F("accept_due_at")).count(),
        rated.count(),
        rated.filter(solved=True).count(),
        rated.filter(rating__in=["satisfied", "basically"]).count(),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_raw_on_random_histories(world, file_appeal, seed):
    _random_history(world, file_appeal, seed, n=40)
    assert Appeal.objects.count() >= 30 and Appeal.objects.filter(rating__isnull=False).count() >= 3
    assert Appeal.objects.filter(escalation_level__gt=0).exists() or seed != 1
    rollup_refresh()
    _assert_rollups_equal_raw()
    for month, (start, end) in {
        "2026-09": (datetime(2026, 9, 1, tzinfo=SH), datetime(2026, 10, 1, tzinfo=SH)),
        "2026-10": (datetime(2026, 10, 1, tzinfo=SH), datetime(2026, 11, 1, tzinfo=SH)),
        "2026-11": (datetime(2026, 11, 1, tzinfo=SH), datetime(2026, 12, 1, tzinfo=SH)),
    }.items():
        rates = party_rates(party_ids=[world.company_x.pk, world.company_y.pk], month=month)
        for pid, r in rates.items():
            assert (r.dispatched, r.accepted_in_time, r.rated, r.solved, r.satisfied) == _raw_rates(
                pid, start, end
            ), (month, pid)
        by_place = place_rates(place_ids=[world.compound_a.pk, world.compound_b.pk], month=month)
        for cid, r in by_place.items():
            assert (
                r.dispatched
                == Appeal.objects.filter(
                    compound_id=cid, dispatched_at__gte=start, dispatched_at__lt=end
                ).count()
            )
    # a set-based rebuild from scratch gives exactly the rows and facts of the incremental refreshes
    before, facts_before = _snapshot()
    assert rollup_rebuild() == Appeal.objects.count()
    after, facts_after = _snapshot()
    assert after == before
    assert facts_after == facts_before
    assert AppealFact.objects.count() == Appeal.objects.count()
    _assert_rollups_equal_raw()


def _snapshot() -> tuple[list, list]:
    rows = sorted(DailyRollup.objects.values_list("key", "day", *DIMS, *COUNT_FIELDS))
    facts = sorted(AppealFact.objects.values_list(*(f.name for f in AppealFact._meta.concrete_fields)))
    months = sorted(MonthlyRollup.objects.values_list("key", "month", *DIMS, *COUNT_FIELDS))
    months += sorted(MonthlyBands.objects.values_list("key", "month", *DIMS, "bands"))
    return rows + months, facts


def test_rebuild_alone_equals_raw(world, file_appeal):
    """The set-based rebuild on a history never refreshed incrementally (the bulk-load case)."""
    _random_history(world, file_appeal, 4, n=40)
    DailyRollup.objects.all().delete()
    MonthlyRollup.objects.all().delete()
    MonthlyBands.objects.all().delete()
    AppealFact.objects.all().delete()
    assert rollup_rebuild() == Appeal.objects.count()
    _assert_rollups_equal_raw()
    assert set(DailyRollup.objects.values_list("key", flat=True)) == {
        key_text((r.day, *(getattr(r, n) for n in DIMS))) for r in DailyRollup.objects.all()
    }


def test_refresh_is_idempotent_and_cheap_when_fresh(world, file_appeal, django_assert_max_num_queries):
    with clock.frozen(T0):
        appeal = file_appeal()
    assert rollup_refresh() == 1
    snapshot = list(DailyRollup.objects.values_list("key", "created", "dispatched"))
    with django_assert_max_num_queries(1):
        assert rollup_refresh() == 0
    # the watermark re-reads recent events: applying them again changes nothing
    RollupState.objects.update(last_event_id=0)
    rollup_refresh()
    assert list(DailyRollup.objects.values_list("key", "created", "dispatched")) == snapshot
    with clock.frozen(T0 + timedelta(minutes=3)):
        appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    assert (
        party_rates(party_ids=[world.company_x.pk], month="2026-09")[world.company_x.pk].accepted_in_time == 1
    )


def test_rebuild_edge_cases_equal_refresh_and_raw(world, file_appeal):
    """Boundaries where SQL and Python could disagree: accepted exactly at the limit, resolved exactly on
    a bucket bound or "before" filing, a transferred appeal (first party ≠ responsible party), no first
    party, a local-midnight filing, an unrated solved flag and an escalated appeal."""
    appeals = []
    for i in range(10):
        with clock.frozen(T0 + timedelta(days=i)):
            appeals.append(file_appeal())
    t = T0 + timedelta(days=20)
    midnight = datetime(2026, 9, 30, 23, 59, 59, 999999, tzinfo=SH)
    edits = [
        {"dispatched_at": t, "accept_due_at": t + timedelta(hours=1), "accepted_at": t + timedelta(hours=1)},
        {"created_at": t, "resolved_at": t + timedelta(hours=2)},  # exactly the first bucket's bound
        {"created_at": t, "resolved_at": t + timedelta(hours=8, microseconds=1)},  # just past a bound
        {"created_at": t, "resolved_at": t - timedelta(minutes=5)},  # a clock skew: counts as 0 s
        {"first_party": world.company_x, "responsible_party": world.company_y, "dispatched_at": t},
        {"first_party": None, "responsible_party": world.company_y, "dispatched_at": t},
        {"created_at": midnight, "resolved_at": midnight + timedelta(seconds=1)},
        {"escalation_level": 2, "solved": True, "rating": Rating.BASICALLY, "rated_at": midnight},
        # exactly on a band's lower edge, and one second below it (Python bisect vs the SQL CASE)
        {"created_at": t, "resolved_at": t + timedelta(seconds=BAND_EDGES[150])},
        {"created_at": t, "resolved_at": t + timedelta(seconds=BAND_EDGES[151] - 1, microseconds=999999)},
    ]
    for appeal, edit in zip(appeals, edits, strict=True):
        Appeal.objects.filter(pk=appeal.pk).update(**edit)
    RollupState.objects.all().delete()
    AppealFact.objects.all().delete()
    DailyRollup.objects.all().delete()
    MonthlyRollup.objects.all().delete()
    MonthlyBands.objects.all().delete()
    rollup_refresh()  # the Python path (`fact_of` / `contributions`)
    _assert_rollups_equal_raw()
    incremental = _snapshot()
    rollup_rebuild()  # the SQL path
    assert _snapshot() == incremental
    _assert_rollups_equal_raw()
