"""An error's `message_zh` is Chinese whatever language the request runs in: labels inside it go through
`core.errors.zh`, not the active language (an English request once got "Building不能建在Household之下")."""

from __future__ import annotations

from django.utils import translation

from shequ.appeals.models import Appeal, Status
from shequ.appeals.step import _refuse_state
from shequ.core.errors import zh
from shequ.directory.models import PlaceKind


def test_zh_renders_a_label_in_chinese_under_english():
    with translation.override("en"):
        assert str(PlaceKind.BUILDING.label) == "Building"
        assert zh(PlaceKind.BUILDING.label) == "楼栋"
        assert translation.get_language() == "en"  # and leaves the language as it was


def test_a_refused_transition_names_the_status_in_chinese_under_english():
    with translation.override("en"):
        error = _refuse_state(Appeal(status=Status.CLOSED), "accept")
    assert f"“{zh(Status.CLOSED.label)}”" in error.message_zh
    assert not any("a" <= ch <= "z" for ch in error.message_zh)
