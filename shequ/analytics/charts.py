"""Server-side SVG charts (no script, no CDN): they scale to the phone's width, print as vectors, and
every chart sits next to its data table. Colours pass 3:1 against white and are told apart by the
legend's order as well as by colour."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

PALETTE = ("#b3261e", "#0b57d0", "#146c2e", "#8a4b00", "#6a1b9a", "#00696d", "#5f6368")
WIDTH = 640
HEIGHT = 240
PAD_LEFT = 36
PAD_BOTTOM = 28
NARROW = 320  # the phone's drawing (shown under 600 px)
NARROW_HEIGHT = 200


def stacked_bars(*, title: str, labels: list[str], series: list[tuple[str, list[int]]]) -> SafeString:
    """A stacked bar per label (a month), one colour per series, with a value axis of 4 steps — drawn twice:
    640 wide for desktops and print, and 320 wide for phones (`.narrow`, shown under 600 px by the CSS),
    so the axis text stays at its CSS size (12 px, larger in large type) instead of shrinking to half on
    a 390 px screen; the phone's drawing labels every other month when there are more than six."""
    legend = format_html_join(
        "",
        '<li><span class="swatch" style="background:{}"></span>{}</li>',
        ((PALETTE[k % len(PALETTE)], name) for k, (name, _v) in enumerate(series)),
    )
    return format_html(
        '<figure class="chart">{}{}<ul class="legend">{}</ul></figure>',
        _bars_svg(title=title, labels=labels, series=series, width=WIDTH, height=HEIGHT, css="wide"),
        _bars_svg(
            title=title, labels=labels, series=series, width=NARROW, height=NARROW_HEIGHT, css="narrow"
        ),
        legend,
    )


def _bars_svg(
    *, title: str, labels: list[str], series: list[tuple[str, list[int]]], width: int, height: int, css: str
) -> SafeString:
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    peak = max(totals, default=0) or 1
    inner_w = width - PAD_LEFT - 8
    inner_h = height - PAD_BOTTOM - 12
    step = inner_w / max(len(labels), 1)
    bar = step * 0.7
    every = 2 if width < WIDTH and len(labels) > 6 else 1  # the phone's month labels: every other one
    rects = []
    for i, label in enumerate(labels):
        y: float = 12 + inner_h
        x = PAD_LEFT + i * step + (step - bar) / 2
        for k, (name, values) in enumerate(series):
            h = inner_h * values[i] / peak
            if values[i]:
                y -= h
                rects.append(
                    (
                        f"{x:.1f}",
                        f"{y:.1f}",
                        f"{bar:.1f}",
                        f"{h:.1f}",
                        PALETTE[k % len(PALETTE)],
                        f"{label} {name} {values[i]}",
                    )
                )
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
        rects,
    )
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" class="tick">{}</text>',
        (
            (f"{PAD_LEFT + i * step + step / 2:.1f}", height - 8, label[-2:] if len(labels) > 6 else label)
            for i, label in enumerate(labels)
            if (len(labels) - 1 - i) % every == 0  # the last month always labelled
        ),
    )
    steps = 4 if width >= WIDTH else 2
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/><text x="{}" y="{}" text-anchor="end" class="tick">{}</text>',
        (
            (
                PAD_LEFT,
                width - 8,
                f"{12 + inner_h - inner_h * q / steps:.1f}",
                f"{12 + inner_h - inner_h * q / steps:.1f}",
                PAD_LEFT - 4,
                f"{16 + inner_h - inner_h * q / steps:.1f}",
                round(peak * q / steps),
            )
            for q in range(steps + 1)
        ),
    )
    return format_html(
        '<svg class="{}" viewBox="0 0 {} {}" role="img" aria-label="{}" preserveAspectRatio="xMidYMid meet">'
        "{}{}{}</svg>",
        css,
        width,
        height,
        title,
        grid,
        bars,
        ticks,
    )


def meter(value: float | None) -> SafeString:
    """A horizontal bar for a rate (0…1) inside a table cell."""
    if value is None:
        return format_html("{}", "")
    return format_html(
        '<span class="meter" aria-hidden="true"><span style="width:{}%"></span></span>', f"{value * 100:.0f}"
    )


def sparkline(values: list[float | None], *, top: float = 1.0) -> SafeString:
    """A small line of monthly figures from 0 to `top` (composites: 0…1, gaps where there were too few
    ratings; counts: `top` is their largest)."""
    values = [None if v is None else v / top for v in values] if top and top != 1.0 else values
    w, h = 90, 24
    n = max(len(values) - 1, 1)
    points = [(i * w / n, h - 2 - (v * (h - 4))) for i, v in enumerate(values) if v is not None]
    if not points:
        return format_html("{}", "")
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return format_html(
        '<svg class="spark" viewBox="0 0 {} {}" aria-hidden="true"><polyline points="{}" fill="none" stroke="#0b57d0" stroke-width="2"/></svg>',
        w,
        h,
        path,
    )
