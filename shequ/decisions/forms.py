"""The voting window of an owners' decision or an election (投票开始 / 投票截止), picked from our Chinese
date and time lists (`shequ.core.widgets`), not the browser's native picker."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.widgets import ChineseDateTimeField, posted


class VotingWindowForm(forms.Form):
    opens_at = ChineseDateTimeField(label=_("投票开始"))
    closes_at = ChineseDateTimeField(label=_("投票截止"), required=False)

    def __init__(self, *args, closes_required: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["closes_at"].required = closes_required

    def window(self) -> tuple[datetime, datetime | None]:
        """The posted window; a missing or bad time raises `Invalid` (zh + en) naming the field."""
        return posted(self, "opens_at"), posted(self, "closes_at")
