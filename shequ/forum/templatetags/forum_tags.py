from django import template

from shequ.core.masking import mask_name

register = template.Library()


@register.filter(name="mask_name")
def mask_name_filter(value: str) -> str:
    return mask_name(value or "")
