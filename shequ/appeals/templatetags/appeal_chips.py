"""`{% status_chip a %}` and `{% time_chip chip icons %}`: an appeal's status chip and one time-left chip
(`presenter.Chip`), written in Python because the lists print them on every row: an `{% include %}`
per row and chip cost more than the rest of the row (a workbench page of 25 rows rendered 50)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# The chip's colour by status: waiting to be accepted, being handled, done.
STATUS_CLASSES = {
    "submitted": "chip-info",
    "dispatched": "chip-info",
    "accepted": "chip-brand",
    "in_progress": "chip-brand",
    "resolved": "chip-ok",
    "closed": "chip-ok",
}


@register.simple_tag
def status_chip(appeal) -> SafeString:
    return format_html(
        '<span class="chip {}" data-status="{}">{}</span>',
        STATUS_CLASSES.get(appeal.status, ""),
        appeal.status,
        appeal.get_status_display(),
    )


@register.simple_tag
def time_chip(chip, icons: str) -> SafeString | str:
    if not chip:
        return ""
    return format_html(
        '<span class="chip chip-{}" title="{}"><svg class="icon" aria-hidden="true" style="width:1em;height:1em">'
        '<use href="{}#clock"></use></svg>{}</span>',
        chip.level,
        chip.title,
        icons,
        chip.label,
    )
