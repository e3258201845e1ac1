"""Admin screens for people: users (log in by phone) and their residencies."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from shequ.accounts import services
from shequ.accounts.models import Residency, User
from shequ.core.errors import DomainError


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("phone", "real_name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class ResidencyInline(admin.TabularInline):
    model = Residency
    fk_name = "user"
    extra = 0
    fields = ("household", "relation", "status", "verified_by", "verified_at", "reject_reason")
    readonly_fields = ("verified_by", "verified_at")
    raw_id_fields = ("household",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("phone",)
    list_display = ("phone", "real_name", "is_active", "is_staff", "date_joined", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("phone", "real_name")
    fieldsets = (
        (None, {"fields": ("phone", "password")}),
        (_("个人信息"), {"fields": ("real_name", "email", "birth_year", "lives_alone")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("phone", "real_name", "password1", "password2")}),
    )
    inlines = [ResidencyInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []


@admin.register(Residency)
class ResidencyAdmin(admin.ModelAdmin):
    list_display = ("user", "household", "relation", "status", "verified_by", "verified_at", "created_at")
    list_filter = ("status", "relation")
    search_fields = ("user__phone", "user__real_name", "household__name")
    raw_id_fields = ("user", "household")
    readonly_fields = ("verified_by", "verified_at")
    list_select_related = ("user", "household", "verified_by")
    actions = ["verify_selected"]

    @admin.action(description=_("认证所选的待认证住户"))
    def verify_selected(self, request, queryset):
        done = 0
        for residency in queryset.filter(status=Residency.Status.PENDING).select_related("household", "user"):
            try:
                services.residency_verify(residency=residency, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{residency}: {exc.message_zh}", messages.WARNING)
            else:
                done += 1
        self.message_user(request, _("已认证 %(n)d 人。") % {"n": done}, messages.SUCCESS)
