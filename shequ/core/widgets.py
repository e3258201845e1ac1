"""Form controls with our own Chinese labels instead of the browser's native pickers, which show
English in many browsers (issue #14): a day as a <select> ("12月3日 周四"), a date-and-time as a day and
a time ("14:30"), a month as a <select> ("2026年12月"). They work without JavaScript; the fields still
clean to a `date` / an aware datetime in the site's zone.

`posted(form, name)` is the one parse of a posted date or time for the pages: the field cleans it, a bad
or missing value raises `Invalid` in Chinese and English naming the field. A page that re-renders its
bound form after an error shows what the user picked (nothing lost)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shequ.core import clock
from shequ.core.errors import Invalid

WEEKDAYS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))
DAYS_AHEAD = 120
STEP_MINUTES = 30
PICK_INCOMPLETE = _("请选择日期和时间。")


def day_label(day: date) -> str:
    return gettext("%(m)s月%(d)s日 %(w)s") % {"m": day.month, "d": day.day, "w": WEEKDAYS[day.weekday()]}


def month_label(month: str) -> str:
    year, mon = month.split("-")
    return gettext("%(y)s年%(m)s月") % {"y": year, "m": int(mon)}


def today() -> date:
    return timezone.localtime(clock.now()).date()


def day_choices(
    *, extra: date | None = None, back: int = 0, ahead: int = DAYS_AHEAD
) -> list[tuple[str, str]]:
    """The days from `back` days ago to `ahead` - 1 days on (and `extra`, a value outside them)."""
    first = today()
    days = [first + timedelta(days=i) for i in range(-back, ahead)]
    if extra is not None and extra not in days:
        days = sorted([extra, *days])
    if back and ahead <= 1:  # a list of past days: the latest first
        days.reverse()
    return [(d.isoformat(), day_label(d)) for d in days]


def time_choices(*, extra: str = "") -> list[tuple[str, str]]:
    times = [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60, STEP_MINUTES)]
    if extra and extra not in times:
        times = sorted([extra, *times])
    return [(t, t) for t in times]


def month_choices(months: Iterable[str], *, selected: str) -> list[tuple[str, str]]:
    """ "YYYY-MM" months, latest first, labelled "2026年12月"; `selected` is kept if outside them."""
    values = set(months) | ({selected} if selected else set())
    return [(m, month_label(m)) for m in sorted(values, reverse=True)]


def step_up(when: datetime) -> datetime:
    """`when` rounded up to the time list's next step (a default the lists can show exactly)."""
    local = timezone.localtime(when)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    steps = math.ceil((local - midnight) / timedelta(minutes=STEP_MINUTES))
    return midnight + timedelta(minutes=steps * STEP_MINUTES)


def _parse_day(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


class ChineseDateSelect(forms.Select):
    """A day from a list with Chinese labels: `back` days ago to `ahead` - 1 days on."""

    def __init__(self, attrs=None, *, back: int = 0, ahead: int = DAYS_AHEAD) -> None:
        super().__init__(attrs)
        self.back, self.ahead = back, ahead

    def format_value(self, value):
        day = _parse_day(value)
        return [day.isoformat()] if day else super().format_value(value)

    def get_context(self, name, value, attrs):
        self.choices = [
            ("", _("选择日期")),
            *day_choices(extra=_parse_day(value), back=self.back, ahead=self.ahead),
        ]
        return super().get_context(name, value, attrs)


class TimeSelect(forms.Select):
    def get_context(self, name, value, attrs):
        self.choices = [("", _("选择时间")), *time_choices(extra=value if isinstance(value, str) else "")]
        return super().get_context(name, value, attrs)


class ChineseDateTimeWidget(forms.MultiWidget):
    template_name = "core/widgets/datetime.html"

    def __init__(self, attrs=None) -> None:
        super().__init__([ChineseDateSelect(), TimeSelect()], attrs)

    def decompress(self, value):
        if isinstance(value, datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return [local.date().isoformat(), f"{local.hour:02d}:{local.minute:02d}"]
        return ["", ""]


class ChineseDateField(forms.DateField):
    """A day from a list with Chinese labels (by default today and the 60 days before, latest first)."""

    def __init__(self, *, back: int = 60, ahead: int = 1, **kwargs) -> None:
        kwargs.setdefault("widget", ChineseDateSelect(back=back, ahead=ahead))
        super().__init__(input_formats=["%Y-%m-%d"], **kwargs)
        self.error_messages["invalid"] = _("请从列表中选择日期。")
        self.error_messages["required"] = _("请选择日期。")


class ChineseDateTimeField(forms.MultiValueField):
    """A date (next 120 days) and a time (every 30 minutes), each from a list with Chinese labels."""

    widget = ChineseDateTimeWidget

    def __init__(self, **kwargs) -> None:
        bad_day = {"invalid": _("请从列表中选择日期。")}
        bad_time = {"invalid": _("请从列表中选择时间。")}
        fields = (
            forms.DateField(input_formats=["%Y-%m-%d"], error_messages=bad_day),
            forms.TimeField(input_formats=["%H:%M"], error_messages=bad_time),
        )
        kwargs.setdefault("require_all_fields", True)
        super().__init__(fields=fields, **kwargs)
        self.error_messages["incomplete"] = PICK_INCOMPLETE
        self.error_messages["required"] = PICK_INCOMPLETE

    def compress(self, data_list):
        if not data_list:
            return None
        day, at = data_list
        if day is None or at is None:
            raise forms.ValidationError(PICK_INCOMPLETE, code="incomplete")
        return timezone.make_aware(datetime.combine(day, time(at.hour, at.minute)))


def _in(language: str, form: forms.Form, name: str, errors: list[forms.ValidationError]) -> str:
    with translation.override(language):
        text = " ".join(m for e in errors for m in e.messages)
        return gettext("%(label)s：%(error)s") % {"label": form.fields[name].label or name, "error": text}


def posted(form: forms.Form, name: str):
    """The cleaned value of the bound `form`'s field `name`; a bad or missing one raises `Invalid`
    ("投票截止：请选择日期和时间。" / "Voting closes: choose a date and a time.")."""
    form.is_valid()
    errors = form.errors.as_data().get(name)
    if errors:
        raise Invalid(
            _in("zh-hans", form, name, errors),
            _in("en", form, name, errors),
            code="bad_datetime",
            fields={name: errors[0].code or "invalid"},
        )
    return form.cleaned_data.get(name)


def post_value(name: str, value: date | datetime) -> dict[str, str]:
    """What a browser posts for `value` in our field `name` (for tests and scripted posts)."""
    if isinstance(value, datetime):
        local = timezone.localtime(value)
        return {f"{name}_0": local.date().isoformat(), f"{name}_1": local.strftime("%H:%M")}
    return {name: value.isoformat()}
