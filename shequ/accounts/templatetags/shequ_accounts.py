from __future__ import annotations

from django import template

from shequ.accounts.selectors import household_label as _household_label

register = template.Library()


@register.filter
def household_label(place) -> str:
    """{{ residency.household|household_label }} → 希格玛社区 知春里小区 5号楼 2单元 301"""
    return _household_label(place)
