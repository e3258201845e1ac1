from django import template
from django.utils.translation import gettext as _

register = template.Library()


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
