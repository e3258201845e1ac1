from __future__ import annotations

from django.contrib import admin

from shequ.core.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only view of the job queue: jobs are written by `jobs.enqueue` and the worker only."""

    list_display = ["id", "name", "status", "run_at", "attempts", "max_attempts", "locked_by", "finished_at"]
    list_filter = ["status", "name"]
    search_fields = ["name", "dedupe_key", "last_error"]
    date_hierarchy = "run_at"
    ordering = ["-id"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
