"""Admin: categories, routing rules, time limits and the holiday calendar are configuration (editable); appeals, events and photos are
read-only records — every change to an appeal goes through `appeal_transition`."""

from __future__ import annotations

from django.contrib import admin

from shequ.appeals import calendar, sweeps
from shequ.appeals.models import (
    Appeal,
    AppealEvent,
    AppealPhoto,
    CalendarDay,
    Category,
    DeadlinePolicy,
    RoutingRule,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "parent",
        "default_party_kind",
        "time_class",
        "default_urgency",
        "is_consultation",
        "is_active",
        "sort",
    )
    list_filter = ("is_active", "is_consultation", "default_party_kind", "time_class")
    list_editable = ("sort", "is_active")
    search_fields = ("name", "code")
    ordering = ("sort", "id")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "category", "place", "party_kind", "party", "priority", "is_active", "note")
    list_filter = ("is_active", "party_kind", "category")
    list_editable = ("priority", "is_active")
    raw_id_fields = ("place", "party")
    search_fields = ("note", "category__name", "party__name", "place__name")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = AppealEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "actor", "party", "is_public", "text", "data")
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "kind",
        "category",
        "status",
        "urgency",
        "responsible_party",
        "escalation_level",
        "created_at",
        "accept_due_at",
        "resolve_due_at",
    )
    list_filter = ("status", "kind", "urgency", "source", "category", "escalation_level")
    search_fields = ("number", "text", "reporter__real_name", "reporter__phone")
    date_hierarchy = "created_at"
    list_select_related = ("category", "responsible_party")
    inlines = [EventInline]
    raw_id_fields = ("reporter", "filed_by", "handler", "place", "spot", "merged_into")


@admin.register(AppealEvent)
class AppealEventAdmin(ReadOnlyAdmin):
    list_display = ("appeal", "kind", "actor", "party", "is_public", "created_at")
    list_filter = ("kind", "is_public")
    list_select_related = ("appeal", "actor", "party")
    search_fields = ("appeal__number", "text")


@admin.register(AppealPhoto)
class AppealPhotoAdmin(ReadOnlyAdmin):
    list_display = ("appeal", "stage", "width", "height", "size", "created_at")
    list_select_related = ("appeal",)
    exclude = ("image", "thumbnail")


class _TimeConfigAdmin(admin.ModelAdmin):
    """The calendar and the time limits: a change clears the cached copies (`appeals.calendar`) and
    recomputes every open appeal's next due time (`sweeps.next_due_refresh`, set-based)."""

    def _changed(self) -> None:
        calendar.clear_cache()
        sweeps.next_due_refresh()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._changed()


@admin.register(CalendarDay)
class CalendarDayAdmin(_TimeConfigAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind", "name")
    date_hierarchy = "date"


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(_TimeConfigAdmin):
    list_display = (
        "__str__",
        "accept_limit",
        "accept_unit",
        "resolve_limit",
        "resolve_unit",
        "is_active",
        "note",
    )
    list_filter = ("is_active", "urgency", "time_class")
