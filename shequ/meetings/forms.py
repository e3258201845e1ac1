"""Parsing of the meeting pages' posts (typed values for the services; errors in zh + en): the times
through `shequ.core.widgets.posted`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import Invalid
from shequ.core.widgets import ChineseDateTimeField


class MeetingTimesForm(forms.Form):
    """When a meeting without a booked venue slot starts and ends (our Chinese date and time lists)."""

    starts_at = ChineseDateTimeField(label=_("开始时间"), required=False)
    ends_at = ChineseDateTimeField(label=_("结束时间"), required=False)


class ItemDueForm(forms.Form):
    """An action item's due time; the service says it is required, with the responsible party."""

    due_at = ChineseDateTimeField(label=_("完成时限"), required=False)


def int_list(values: list[str]) -> list[int]:
    out = []
    for v in values:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            raise Invalid("选择有误。", "Invalid choice.", code="bad_choice")
    return out


def int_or_none(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid("选择有误。", "Invalid choice.", code="bad_choice")
