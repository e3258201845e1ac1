"""Form controls with our own Chinese labels instead of the browser's native pickers, which show
English in many browsers (issue #14): a date-and-time as two <select>s ("12月3日 周四", "14:30").
Works without JavaScript; the field still cleans to an aware datetime in the site's zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shequ.core import clock

WEEKDAYS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))
DAYS_AHEAD = 120
STEP_MINUTES = 30


def day_label(day: date) -> str:
    return gettext("%(m)s月%(d)s日 %(w)s") % {"m": day.month, "d": day.day, "w": WEEKDAYS[day.weekday()]}


def day_choices(*, extra: date | None = None) -> list[tuple[str, str]]:
    today = timezone.localtime(clock.now()).date()
    days = [today + timedelta(days=i) for i in range(DAYS_AHEAD)]
    if extra is not None and extra not in days:
        days = sorted([extra, *days])
    return [(d.isoformat(), day_label(d)) for d in days]


def time_choices() -> list[tuple[str, str]]:
    out = []
    for minutes in range(0, 24 * 60, STEP_MINUTES):
        t = f"{minutes // 60:02d}:{minutes % 60:02d}"
        out.append((t, t))
    return out


class ChineseDateTimeWidget(forms.MultiWidget):
    template_name = "core/widgets/datetime.html"

    def __init__(self, attrs=None) -> None:
        super().__init__([forms.Select(), forms.Select()], attrs)

    def decompress(self, value):
        if isinstance(value, datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return [
                local.date().isoformat(),
                f"{local.hour:02d}:{local.minute // STEP_MINUTES * STEP_MINUTES:02d}",
            ]
        return ["", ""]

    def get_context(self, name, value, attrs):
        day, _t = value if isinstance(value, list | tuple) else self.decompress(value)
        extra = None
        try:
            extra = date.fromisoformat(day) if day else None
        except ValueError:
            extra = None
        day_select, time_select = self.widgets
        assert isinstance(day_select, forms.Select) and isinstance(time_select, forms.Select)
        day_select.choices = [("", _("选择日期")), *day_choices(extra=extra)]
        time_select.choices = [("", _("选择时间")), *time_choices()]
        return super().get_context(name, value, attrs)


class ChineseDateTimeField(forms.MultiValueField):
    """A date (next 120 days) and a time (every 30 minutes), each from a list with Chinese labels."""

    widget = ChineseDateTimeWidget

    def __init__(self, **kwargs) -> None:
        fields = (forms.DateField(), forms.TimeField())
        kwargs.setdefault("require_all_fields", True)
        super().__init__(fields=fields, **kwargs)
        self.error_messages.setdefault("incomplete", _("请选择日期和时间。"))

    def compress(self, data_list):
        if not data_list:
            return None
        day, at = data_list
        if day is None or at is None:
            raise forms.ValidationError(_("请选择日期和时间。"), code="incomplete")
        return timezone.make_aware(datetime.combine(day, time(at.hour, at.minute)))
