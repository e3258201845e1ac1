"""Analytics at scale, one command, on a copy of the 1M database (never the shared one):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_dash1m .venv/bin/python bench/bench_analytics.py

Measures in one run, in-process (no HTTP: the figures the pages render):
- the street and the community dashboard's figures (`selectors.dashboard`, every table of the page), p50/p95
  over --runs, beside the same headline figures computed from the raw appeals (period totals and the three
  rates' counts, the 12-month trend by category, the party and community rankings), as ratios;
- the floor in the same run: the floor's indexed read (`bench/floor.py`: one SELECT of an appeal by id), the
  reference every figure is also given against (dashboard p95 ÷ floor p95);
- the resolution-time percentiles alone: read from the month rows' bands (what the page does) beside the exact
  figure from the facts (`percentiles.exact_quantiles_by_category_and_party`), and the largest relative
  difference between the two over every category and party (the stated bound is < 2 %);
- the Excel appeals ledger streamed (openpyxl write-only, `ledgers.appeals_sheet`) for 10,000 and 100,000
  rows: seconds (untraced) and how much the process's peak resident memory grew — constant memory means it
  does not grow with the rows — beside a raw cursor dump of the same rows to CSV.
Writes bench/results/analytics-<appeals>-<date>.md.
"""

from __future__ import annotations

import argparse
import csv
import gc
import itertools
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(q * (len(values) - 1))))]


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def raw_figures(f) -> None:
    """The dashboard's headline figures straight from the appeals (what the page did before rollups)."""
    from django.db.models import Count, F, Q
    from django.db.models.functions import Coalesce, TruncMonth

    from shequ.analytics.dashboards import _appeals
    from shequ.analytics.rates import month_bounds, recent_months

    start, _ = month_bounds(f.months[0])
    _, end = month_bounds(f.months[-1])
    first, _ = month_bounds(recent_months(12, upto=f.month)[0])
    base = _appeals(f)
    period = Q(created_at__gte=start, created_at__lt=end)
    disp = Q(dispatched_at__gte=start, dispatched_at__lt=end)
    rated = Q(rating__isnull=False, rated_at__gte=start, rated_at__lt=end)
    counts = {
        "created": Count("pk", filter=period),
        "resolved": Count("pk", filter=Q(resolved_at__gte=start, resolved_at__lt=end)),
        "dispatched": Count("pk", filter=disp),
        "in_time": Count("pk", filter=disp & Q(accepted_at__lte=F("accept_due_at"))),
        "rated": Count("pk", filter=rated),
        "solved": Count("pk", filter=rated & Q(solved=True)),
        "satisfied": Count("pk", filter=rated & Q(rating__in=["satisfied", "basically"])),
    }
    base.aggregate(**counts)
    list(
        base.filter(created_at__gte=first, created_at__lt=end)
        .annotate(m=TruncMonth("created_at"))
        .values("m", "category_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    party = Coalesce("first_party_id", "responsible_party_id")
    list(base.annotate(p=party).values("p").annotate(**counts).order_by())
    list(base.values("community_id").annotate(**counts).order_by())


def floor_read(pk: int) -> None:
    """The floor's read (bench/floor.py `read`): one indexed SELECT of an appeal."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT id, number, status, created_at FROM appeals_appeal WHERE id = %s", [pk])
        cur.fetchone()


def percentile_lines(user, args) -> list[str]:
    """The resolution-time tables alone: banded (the page) vs exact (the facts), and their difference."""
    from shequ.analytics import selectors
    from shequ.analytics.dashboards import _root_of
    from shequ.analytics.percentiles import (
        BAND_ERROR,
        exact_quantiles_by_category_and_party,
        resolution_quantiles_by_category_and_party,
    )

    lines = [
        "",
        "Resolution-time median and 90th percentile per top category and per party, alone:",
        "",
        "| level | banded p50 ms | banded p95 ms | exact p50 ms | exact p95 ms | exact / banded (p95) |"
        " groups | largest relative difference |",
        "|---|---|---|---|---|---|---|---|",
    ]
    roots = _root_of()
    for level in ("street", "community"):
        _area, f = selectors.dashboard_filters(
            user=user, level=level, area_id=None, params={"month": args.month}
        )
        banded = timed(lambda ff=f: resolution_quantiles_by_category_and_party(ff, roots=roots), args.runs)
        exact = timed(lambda ff=f: exact_quantiles_by_category_and_party(ff, roots=roots), args.runs)
        got = resolution_quantiles_by_category_and_party(f, roots=roots)
        want = exact_quantiles_by_category_and_party(f, roots=roots)
        worst, groups = 0.0, 0
        for g, w in zip(got, want, strict=True):
            for key, (_n, p50, p90) in w.items():
                groups += 1
                for mine, theirs in ((g[key][1], p50), (g[key][2], p90)):
                    if theirs * 3600 >= 60:
                        worst = max(worst, abs(mine / theirs - 1))
        row = (
            f"| {level} | {_p(banded, 0.5):.0f} | {_p(banded, 0.95):.0f} | {_p(exact, 0.5):.0f} |"
            f" {_p(exact, 0.95):.0f} | {_p(exact, 0.95) / _p(banded, 0.95):.1f}× | {groups} |"
            f" {worst * 100:.2f} % (bound {BAND_ERROR * 100:.2f} %) |"
        )
        print(row, flush=True)
        lines.append(row)
    return lines


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _peak_reset() -> bool:
    """Reset the process's peak resident memory (VmHWM) — Linux's /proc/self/clear_refs "5"."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def export(f, rows: int, *, raw: bool) -> tuple[float, float, int]:
    """(seconds, MB the peak resident memory grew by, rows) of the ledger written to a temporary file.
    Timed untraced; the memory is the growth of the process's peak RSS over its RSS before the export
    (Linux: VmHWM reset through /proc/self/clear_refs), or tracemalloc's peak where that is unavailable
    (tracemalloc makes Python 3–5× slower, so its seconds are not comparable)."""
    from shequ.analytics import ledgers
    from shequ.analytics.dashboards import appeals_in_period
    from shequ.core.xlsx import write_workbook

    gc.collect()
    rss = _peak_reset()
    before = _status_kb("VmRSS") if rss else 0
    if not rss:
        tracemalloc.start()
    t = time.perf_counter()
    with tempfile.TemporaryFile() as tmp:
        if raw:
            text = open(tmp.fileno(), "w", closefd=False, encoding="utf-8")  # noqa: SIM115
            writer = csv.writer(text)
            n = 0
            for row in appeals_in_period(f)[:rows].iterator(chunk_size=2000):
                writer.writerow(row.values())
                n += 1
            text.flush()
        else:
            sheet = ledgers.appeals_sheet(f)
            sheet.rows = itertools.islice(sheet.rows, rows)
            n = write_workbook([sheet], tmp)
    seconds = time.perf_counter() - t
    if rss:
        return seconds, (_status_kb("VmHWM") - before) / 1024, n
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, n


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--raw-runs", type=int, default=3)
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--leader", default="13900000091", help="the street leader's phone (bench data)")
    parser.add_argument("--out", default="")
    parser.add_argument("--no-export", action="store_true", help="skip the Excel ledger (about 1 minute)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if "shequ_bench1m" in url or not url.startswith("postgres"):
        parser.error("set DATABASE_URL to your own PostgreSQL copy (never shequ_bench1m itself)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.utils import translation

    from shequ.accounts.models import User
    from shequ.analytics import selectors
    from shequ.analytics.rollups import rollups_fresh
    from shequ.appeals.models import Appeal

    translation.activate("zh-hans")
    n_appeals = Appeal.objects.count()
    any_id = Appeal.objects.order_by("-id").values_list("id", flat=True).first()
    user = User.objects.get(phone=args.leader)
    rollups_fresh()
    lines = [f"# Analytics at {n_appeals:,} appeals ({date.today().isoformat()})", ""]
    lines += [
        "Run: `DATABASE_URL=…/shequ_dash1m .venv/bin/python bench/bench_analytics.py` (PostgreSQL, in-process).",
        "",
    ]
    floor = timed(lambda: floor_read(any_id), 200)
    lines += [
        f"Floor (same run, in-process): the floor's indexed read of one appeal, p50 {_p(floor, 0.5):.2f} ms,"
        f" p95 {_p(floor, 0.95):.2f} ms.",
        "",
        "| figure | p50 ms | p95 ms | raw p50 ms | raw p95 ms | raw / rollups (p95) | p95 / floor p95 |",
        "|---|---|---|---|---|---|---|",
    ]
    for level in ("street", "community"):
        params = {"month": args.month}
        _area, f = selectors.dashboard_filters(user=user, level=level, area_id=None, params=params)
        selectors.dashboard(user=user, level=level, area_id=None, params=params)  # warm
        fast = timed(
            lambda lv=level, p=params: selectors.dashboard(user=user, level=lv, area_id=None, params=p),
            args.runs,
        )
        slow = timed(lambda ff=f: raw_figures(ff), args.raw_runs)
        row = (
            f"| {level} dashboard ({args.month}, 1 month) | {_p(fast, 0.5):.0f} | {_p(fast, 0.95):.0f} |"
            f" {_p(slow, 0.5):.0f} | {_p(slow, 0.95):.0f} | {_p(slow, 0.95) / _p(fast, 0.95):.1f}× |"
            f" {_p(fast, 0.95) / _p(floor, 0.95):.0f}× |"
        )
        print(row, flush=True)
        lines.append(row)
    lines += percentile_lines(user, args)
    if args.no_export:
        lines += ["", "Excel appeals ledger: not measured in this run (`--no-export`)."]
        return _write(args, lines, n_appeals)
    lines += [
        "",
        "Excel appeals ledger (streamed, openpyxl write-only) vs a raw cursor dump to CSV; memory growth = the"
        " process's peak RSS during the export minus its RSS before (constant memory: the same for 10,000 and"
        " 100,000 rows):",
        "",
    ]
    lines += [
        "| rows | xlsx s | xlsx memory growth MB | csv dump s | csv memory growth MB | xlsx / dump (time) |",
        "|---|---|---|---|---|---|",
    ]
    _area, f = selectors.dashboard_filters(
        user=user, level="street", area_id=None, params={"month": args.month, "span": 3}
    )
    for rows in (10_000, 100_000):
        xs, xm, xn = export(f, rows, raw=False)
        cs, cm, _cn = export(f, rows, raw=True)
        row = f"| {xn:,} | {xs:.1f} | {xm:.1f} | {cs:.1f} | {cm:.1f} | {xs / cs:.1f}× |"
        print(row, flush=True)
        lines.append(row)
    _write(args, lines, n_appeals)


def _write(args, lines: list[str], n_appeals: int) -> None:
    out = Path(
        args.out or ROOT / "bench" / "results" / f"analytics-{n_appeals}-{date.today().isoformat()}.md"
    )
    out.write_text("\n".join(lines) + "\n")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
