"""Forms only parse input; the rules live in services and raise shequ.core.errors."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from shequ.accounts.models import Residency
from shequ.core.errors import DomainError
from shequ.core.views import error_text


def attach_error(form: forms.Form, exc: DomainError) -> None:
    """Show a domain error on the fields it names (or on the whole form)."""
    placed = False
    for name, message in exc.fields.items():
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error_text(exc))


class LoginForm(AuthenticationForm):
    """Phone + password. The phone travels in a field named `username` (django-axes counts failures by it)."""

    username = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "inputmode": "tel",
                "autofocus": True,
                "autocapitalize": "none",
            }
        ),
    )
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("手机号或密码不正确，请再试一次。"),
        "inactive": _("这个账号已停用，请联系社区居委会。"),
    }

    def clean_username(self) -> str:
        return "".join(ch for ch in self.cleaned_data["username"] if ch.isdigit())


class RelationField(forms.ChoiceField):
    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        super().__init__(choices=Residency.Relation.choices, label=_("您是这户的"), **kwargs)


class RelationForm(forms.Form):
    relation = RelationField()


class AccountFields(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("以后用这个手机号登录"),
    )
    real_name = forms.CharField(
        label=_("真实姓名"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("居委会认证时会核对"),
    )
    password = forms.CharField(
        label=_("设置密码"),
        strip=False,
        help_text=_("至少8位，不要只用数字"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("再输一次密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean() or {}
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一样。"))
        return data


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("原密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("新密码"),
        strip=False,
        help_text=_("至少8位，不要只用数字"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("再输一次新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean() or {}
        if (
            data.get("new_password")
            and data.get("new_password2")
            and data["new_password"] != data["new_password2"]
        ):
            self.add_error("new_password2", _("两次输入的密码不一样。"))
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("不通过的原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("住户会看到这段话，例如：房号不对，请重新选择"),
    )
