"""Admin: edit the register; decisions, ballots and events are read-only records."""

from __future__ import annotations

from django.contrib import admin

from shequ.decisions.models import Decision, DecisionEvent, ExclusiveUnit, Owner, Ownership


class OwnershipInline(admin.TabularInline):
    model = Ownership
    extra = 0
    autocomplete_fields = ["owner"]


@admin.register(ExclusiveUnit)
class ExclusiveUnitAdmin(admin.ModelAdmin):
    list_display = ["label", "compound", "kind", "area", "area_source", "developer_unsold"]
    list_filter = ["kind", "area_source", "developer_unsold"]
    search_fields = ["label"]
    raw_id_fields = ["compound", "building", "household"]
    inlines = [OwnershipInline]


@admin.register(Owner)
class OwnerAdmin(admin.ModelAdmin):
    list_display = ["name", "compound", "phone", "is_developer", "user"]
    list_filter = ["is_developer"]
    search_fields = ["name", "phone"]
    raw_id_fields = ["compound", "user"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnly):
    list_display = ["title", "compound", "matter", "status", "outcome", "closes_at"]
    list_filter = ["status", "matter", "outcome"]


@admin.register(DecisionEvent)
class DecisionEventAdmin(ReadOnly):
    list_display = ["decision", "kind", "actor", "at"]
