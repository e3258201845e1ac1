"""Template filters for figures: percentages and the colour of a rate."""

from django import template

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
