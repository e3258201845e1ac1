"""`{{ fen|yuan }}`: integer fen as yuan with two decimals and thousands separators (exact, no floats)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def yuan(fen) -> str:
    try:
        value = int(fen)
    except (TypeError, ValueError):
        return ""
    sign = "-" if value < 0 else ""
    whole, cents = divmod(abs(value), 100)
    return f"{sign}{whole:,}.{cents:02d}"
