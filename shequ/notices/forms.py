from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.widgets import ChineseDateTimeField
from shequ.notices.selectors import PostingRight, postable_places


class NoticeForm(forms.Form):
    right = forms.ChoiceField(label=_("发布单位与频道"))
    place = forms.TypedChoiceField(label=_("发布范围"), coerce=int)
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 8}))
    is_pinned = forms.BooleanField(label=_("置顶"), required=False)
    is_public = forms.BooleanField(
        label=_("公开（不勾选则只对本范围已认证居民可见）"), required=False, initial=True
    )
    # Our own date and time lists (Chinese labels), not the browser's native picker.
    publish_at = ChineseDateTimeField(label=_("定时发布（留空为立即发布）"), required=False)
    expires_at = ChineseDateTimeField(label=_("截止时间（到期后不再显示）"), required=False)

    def __init__(self, *args, rights: list[PostingRight], **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.rights = {f"{r.party.pk}:{r.channel}": r for r in rights}
        from shequ.notices.models import Channel  # noqa: PLC0415

        cast(forms.ChoiceField, self.fields["right"]).choices = [
            (key, f"{r.party.name} · {Channel(r.channel).label}") for key, r in self.rights.items()
        ]
        # The place list follows the chosen party and channel (htmx reloads it when the choice changes).
        chosen = (self.data.get("right") if self.is_bound else None) or self.initial.get("right")
        selected = [self.rights[chosen]] if chosen in self.rights else rights[:1]
        groups: dict[str, list] = {}
        seen: set[int] = set()
        for r in selected:
            for p in postable_places(right=r):
                if p.pk in seen:
                    continue
                seen.add(p.pk)
                groups.setdefault(p.get_kind_display(), []).append((p.pk, p.full_name() or p.name))
        cast(forms.ChoiceField, self.fields["place"]).choices = [(k, v) for k, v in groups.items()]

    def clean_right(self) -> PostingRight:
        return self.rights[self.cleaned_data["right"]]
