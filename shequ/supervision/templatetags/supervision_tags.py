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
def minutes_label(value) -> str:
    if value is None:
        return _("未报到")
    if value < 60:
        return _("%(m)s 分钟") % {"m": value}
    hours, mins = divmod(int(value), 60)
    if mins:
        return _("%(h)s 小时 %(m)s 分钟") % {"h": hours, "m": mins}
    return _("%(h)s 小时") % {"h": hours}
