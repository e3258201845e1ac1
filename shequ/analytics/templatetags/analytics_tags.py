"""Template filters for figures: percentages and the colour of a rate."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.705 → "70.5%"; None → "—" (no data)."""
    if value is None:
        return "—"
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


@register.filter
def rate_chip(value) -> str:
    if value is None:
        return "chip"
    if value >= 0.9:
        return "chip chip-ok"
    if value >= 0.7:
        return "chip chip-warn"
    return "chip chip-bad"


@register.filter
def change(tile) -> str:
    """The change of a KPI tile against the previous period: "+3", "−2.5 个百分点"; "" without data."""
    delta = tile.change
    if delta is None:
        return ""
    if not tile.is_rate:
        return signed(delta)
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    text = f"{abs(delta) * 100:.1f}".rstrip("0").rstrip(".")
    return _("%(sign)s%(n)s 个百分点") % {"sign": sign, "n": text}


@register.filter
def signed(delta: int) -> str:
    """A change in a count: "+3", "−2", "±0"."""
    return f"+{delta}" if delta > 0 else (f"−{-delta}" if delta < 0 else "±0")


@register.filter
def tile_value(tile) -> str:
    if tile.is_rate:
        return pct(tile.value)
    return "—" if tile.value is None else str(tile.value)


@register.filter
def hours(value) -> str:
    """The upper bound of a resolution-time bucket: "≤24 小时", "≤7 天", "60 天以上"."""
    if value is None:
        return "—"
    if value == -1:
        return _("60 天以上")
    if value < 48:
        return _("≤%(h)s 小时") % {"h": value}
    return _("≤%(d)s 天") % {"d": value // 24}


@register.filter
def duration(value) -> str:
    """A duration in hours: "45 分钟", "3.5 小时", "2.3 天" (from 48 hours)."""
    if value is None:
        return "—"
    if value < 1:
        return _("%(m)s 分钟") % {"m": round(value * 60)}
    if value < 48:
        return _("%(h)s 小时") % {"h": f"{value:.1f}".removesuffix(".0")}
    return _("%(d)s 天") % {"d": f"{value / 24:.1f}".removesuffix(".0")}


@register.filter
def index(values, i):
    """values|index:2 → values[2] ("" when out of range)."""
    try:
        return values[int(i)]
    except (IndexError, TypeError, ValueError):
        return ""


@register.filter
def get(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def spark(values):
    from shequ.analytics.charts import sparkline  # noqa: PLC0415

    return sparkline(values)


@register.filter
def spark_counts(values):
    """A sparkline of monthly counts, scaled to their largest (flat at the bottom when all are 0)."""
    from shequ.analytics.charts import sparkline  # noqa: PLC0415

    return sparkline(list(values), top=max(values, default=0) or 1)
