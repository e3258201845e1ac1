"""Our Chinese date, time and month lists (issue #14) and their one parse, `posted`: valid, invalid and
edge values; what the user picked survives an error; no native date/month/datetime-local picker anywhere."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.utils.translation import gettext_lazy

from shequ.core import clock
from shequ.core.errors import Invalid
from shequ.core.widgets import (
    ChineseDateField,
    ChineseDateTimeField,
    month_choices,
    post_value,
    posted,
    step_up,
)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 9, 10, tzinfo=SH)  # a Thursday
SHEQU = Path(__file__).resolve().parents[2]


class Window(forms.Form):
    opens_at = ChineseDateTimeField(label=gettext_lazy("投票开始"))
    closes_at = ChineseDateTimeField(label=gettext_lazy("投票截止"), required=False)
    served_on = ChineseDateField(label=gettext_lazy("服务日期"), required=False)


def _refused(data: dict, name: str) -> Invalid:
    with pytest.raises(Invalid) as info:
        posted(Window(data), name)
    return info.value


def test_a_picked_date_and_time_is_an_aware_time_in_the_sites_zone():
    form = Window({"opens_at_0": "2026-12-10", "opens_at_1": "14:30", "served_on": "2026-12-01"})
    opens = posted(form, "opens_at")
    assert opens == datetime(2026, 12, 10, 14, 30, tzinfo=SH) and opens.utcoffset() == timedelta(hours=8)
    assert posted(form, "closes_at") is None  # optional and left empty
    assert posted(form, "served_on") == date(2026, 12, 1)
    # what a browser posts for a value parses back to it (the helper the tests and scripts use)
    at = datetime(2027, 1, 1, 0, 0, tzinfo=SH)
    assert posted(Window({**post_value("opens_at", at)}), "opens_at") == at


@pytest.mark.parametrize(
    ("data", "name", "zh", "en"),
    [
        ({}, "opens_at", "投票开始：请选择日期和时间。", "Voting opens: Choose a date and a time."),
        (
            {"opens_at_0": "2026-12-10"},
            "opens_at",
            "投票开始：请选择日期和时间。",
            "Choose a date and a time.",
        ),
        (
            {"opens_at_0": "2026-12-10", "closes_at_1": "09:00", "opens_at_1": "09:00"},
            "closes_at",
            "投票截止：请选择日期和时间。",
            "Voting closes: Choose a date and a time.",
        ),
        ({"opens_at_0": "2026-13-40", "opens_at_1": "09:00"}, "opens_at", "请从列表中选择日期。", "date"),
        ({"opens_at_0": "2026-12-10", "opens_at_1": "25:00"}, "opens_at", "请从列表中选择时间。", "time"),
        ({"opens_at_0": "10/12/2026", "opens_at_1": "9am"}, "opens_at", "投票开始：", "Voting opens: "),
        (
            {"served_on": "昨天"},
            "served_on",
            "服务日期：请从列表中选择日期。",
            "Choose a date from the list.",
        ),
    ],
)
def test_a_bad_or_missing_value_is_refused_in_chinese_and_english_naming_the_field(data, name, zh, en):
    exc = _refused(data, name)
    assert zh in exc.message_zh and en in exc.message_en and name in exc.fields
    assert not re.search(r"[A-Za-z]", exc.message_zh)  # the Chinese message is all Chinese
    assert not re.search(r"[\u4e00-\u9fff]", exc.message_en)  # the English one has no Chinese
    assert exc.status == 422


def test_edges_midnight_year_end_and_an_end_before_the_start_parse_as_picked():
    """The parse takes what was picked; whether a window's end may precede its start is the service's
    rule (tested with each form: the error shows and the picks stay)."""
    form = Window(
        {
            **post_value("opens_at", datetime(2026, 12, 31, 23, 30, tzinfo=SH)),
            **post_value("closes_at", datetime(2026, 12, 31, 0, 0, tzinfo=SH)),
        }
    )
    opens, closes = posted(form, "opens_at"), posted(form, "closes_at")
    assert closes < opens and closes == datetime(2026, 12, 31, 0, 0, tzinfo=SH)


def test_the_lists_show_chinese_labels_and_keep_what_was_picked():
    with clock.frozen(NOW):
        html = str(Window()["opens_at"])
        assert "12月3日 周四" in html and '<option value="23:30">' in html and "选择日期" in html
        assert 'type="date' not in html and "datetime-local" not in html
        # a picked day outside the 120 listed days and an off-list time stay selected after an error
        far = (NOW + timedelta(days=200)).date().isoformat()
        html = str(Window({"opens_at_0": far, "opens_at_1": "14:15"})["opens_at"])
        assert f'<option value="{far}" selected>' in html and '<option value="14:15" selected>' in html
        # an initial value (a default window) is selected as it is
        html = str(Window(initial={"opens_at": step_up(NOW)})["opens_at"])
        assert '<option value="2026-12-03" selected>' in html and '<option value="09:30" selected>' in html
        # the service day: today and the 60 days before, today first
        days = re.findall(r'<option value="([\d-]+)"', str(Window()["served_on"]))
        assert days[0] == "2026-12-03" and days[-1] == "2026-10-04" and len(days) == 61


def test_step_up_rounds_up_to_the_next_half_hour():
    assert step_up(NOW) == datetime(2026, 12, 3, 9, 30, tzinfo=SH)
    assert step_up(NOW.replace(minute=30)) == NOW.replace(minute=30)
    assert step_up(NOW.replace(hour=23, minute=45)) == datetime(2026, 12, 4, 0, 0, tzinfo=SH)


def test_month_choices_latest_first_in_chinese_keeping_the_asked_month(settings):
    got = month_choices(["2026-10", "2026-11", "2026-12"], selected="2026-12")
    assert got == [("2026-12", "2026年12月"), ("2026-11", "2026年11月"), ("2026-10", "2026年10月")]
    assert month_choices(["2026-12"], selected="2020-01")[-1] == ("2020-01", "2020年1月")


# ------------------------------------------------------------------- no native picker comes back

NATIVE = re.compile(
    r"""type\s*=\s*["']?(date|month|week|time|datetime-local)\b|DateInput|DateTimeInput|TimeInput|"""
    r"""SelectDateWidget|SplitDateTimeWidget""",
    re.IGNORECASE,
)


def test_no_native_date_month_or_datetime_picker_in_any_template_or_form():
    """The browser's own pickers show English or odd formats on many Chinese phones: every date, time
    and month is one of our lists (`shequ.core.widgets`). Tests are not scanned (they assert absence)."""
    found = []
    for path in sorted([*SHEQU.rglob("*.html"), *SHEQU.rglob("*.py")]):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if NATIVE.search(line):
                found.append(f"{path.relative_to(SHEQU)}:{n}: {line.strip()[:100]}")
    assert not found, "native date pickers (use shequ.core.widgets):\n" + "\n".join(found)
    assert len(list(SHEQU.rglob("*.html"))) > 100  # the scan saw the templates
