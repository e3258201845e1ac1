"""Forms of the appeal pages: they parse and check input; services do the work."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shequ.appeals.models import Status
from shequ.appeals.photos import MAX_BYTES as MAX_PHOTO_BYTES
from shequ.appeals.photos import MAX_PHOTOS

URGENCY_CHOICES = [
    ("normal", _("一般")),
    ("urgent", _("紧急")),
    ("emergency", _("非常紧急（危及生命或财产）")),
]
# What a resident may call their appeal when it is not a consultation, suggestion or praise.
RESIDENT_KIND_CHOICES = [
    ("help", _("求助")),
    ("complaint", _("投诉")),
    ("report", _("举报")),
]
KIND_CHOICES = [
    ("consult", _("咨询")),
    ("help", _("求助")),
    ("complaint", _("投诉")),
    ("report", _("举报")),
    ("suggestion", _("建议")),
    ("praise", _("表扬")),
]
SOURCE_CHOICES = [
    ("staff", _("代居民反映（来访、来电）")),
    ("patrol", _("巡查发现（未诉先办）")),
    ("hotline", _("12345热线转来")),
]
RATING_CHOICES = [
    ("satisfied", _("满意")),
    ("basically", _("基本满意")),
    ("unsatisfied", _("不满意")),
]


def new_form_token() -> str:
    """A one-time token put in the report form; the same token posted twice files one appeal."""
    return uuid.uuid4().hex


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to nine images; the content check (Pillow, EXIF stripping) happens in the photo service."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("最多上传9张照片。"), code="too_many_photos")
        for f in files:
            if f.size > MAX_PHOTO_BYTES:
                raise ValidationError(_("每张照片不能超过8MB。"), code="too_big")
            content_type = getattr(f, "content_type", "") or ""
            if content_type and not content_type.startswith("image/"):
                raise ValidationError(_("只能上传图片。"), code="not_image")
        return files


class PlaceStepForm(forms.Form):
    """Step 2: where is it and how urgent (choices only, no typing)."""

    place = forms.ChoiceField(label=_("在哪里"), widget=forms.RadioSelect)
    urgency = forms.ChoiceField(
        label=_("有多急"), choices=URGENCY_CHOICES, initial="normal", widget=forms.RadioSelect
    )

    def __init__(self, *args, place_choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["place"]).choices = place_choices
        if place_choices and not self.is_bound:
            self.initial.setdefault("place", place_choices[0][0])


class DescribeForm(forms.Form):
    """Step 3: say what is wrong, add photos, choose privacy, submit."""

    category = forms.CharField(widget=forms.HiddenInput)
    place = forms.CharField(widget=forms.HiddenInput)
    urgency = forms.ChoiceField(choices=URGENCY_CHOICES, widget=forms.HiddenInput)
    consult = forms.BooleanField(required=False, widget=forms.HiddenInput)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    kind = forms.ChoiceField(
        label=_("这是"),
        choices=RESIDENT_KIND_CHOICES,
        initial="help",
        widget=forms.RadioSelect,
        required=False,
    )
    text = forms.CharField(
        label=_("说说是什么问题"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("例如：5号楼2单元电梯停了，有老人被困。")}),
        error_messages={"required": _("请写一句话说明问题。")},
    )
    photos = PhotosField(label=_("照片（可选，最多9张）"))
    private = forms.BooleanField(label=_("不公开（只有我家和处理单位能看到）"), required=False)

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if len(text) < 2:
            raise ValidationError(_("请多写几个字说明问题。"), code="too_short")
        return text


class FeedbackForm(forms.Form):
    """The resident's answer after resolution: solved or not, and how satisfied."""

    solved = forms.TypedChoiceField(
        label=_("问题解决了吗？"),
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        choices=[("yes", _("已解决")), ("no", _("没解决"))],
        error_messages={"required": _("请选择是否解决。")},
    )
    rating = forms.ChoiceField(
        label=_("您满意吗？"),
        choices=RATING_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意程度。")},
    )
    text = forms.CharField(
        label=_("还想说（可选）"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StaffFileForm(forms.Form):
    """Staff file an appeal for a resident (walk-in, phone) or from a patrol."""

    source = forms.ChoiceField(
        label=_("来源"), choices=SOURCE_CHOICES, widget=forms.RadioSelect, initial="staff"
    )
    category = forms.ChoiceField(label=_("问题类型"))
    place = forms.ChoiceField(label=_("地点"))
    urgency = forms.ChoiceField(
        label=_("紧急程度"), choices=URGENCY_CHOICES, initial="normal", widget=forms.RadioSelect
    )
    kind = forms.ChoiceField(label=_("诉求类型"), choices=KIND_CHOICES[1:], initial="help")
    resident_phone = forms.CharField(
        label=_("居民手机号"),
        max_length=11,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    resident_name = forms.CharField(label=_("居民姓名"), max_length=50, required=False)
    text = forms.CharField(label=_("问题描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=_("照片（可选，最多9张）"))
    private = forms.BooleanField(label=_("不公开"), required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    household = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, category_choices, place_choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = category_choices
        cast(forms.ChoiceField, self.fields["place"]).choices = place_choices

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("source") == "staff" and not (data.get("resident_phone") or data.get("resident_name")):
            self.add_error(
                "resident_phone",
                _("代居民反映时请填写居民的手机号或姓名。"),
            )
        return data


STATUS_FILTER_CHOICES = [("", _("进行中")), *Status.choices, ("all", _("全部"))]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_FILTER_CHOICES, required=False)
    category = forms.ChoiceField(label=_("分类"), required=False)
    compound = forms.ChoiceField(label=_("小区/地点"), required=False)
    urgency = forms.ChoiceField(
        label=_("紧急程度"), required=False, choices=[("", _("全部")), *URGENCY_CHOICES]
    )
    overdue = forms.BooleanField(label=_("只看超时"), required=False)
    q = forms.CharField(label=_("编号或内容"), required=False, max_length=50)

    def __init__(self, *args, categories, compounds, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("全部"))] + [
            (c.code, c.name) for c in categories
        ]
        cast(forms.ChoiceField, self.fields["compound"]).choices = [("", _("全部"))] + [
            (str(p.pk), p.name) for p in compounds
        ]
