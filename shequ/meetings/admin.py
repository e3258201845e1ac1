from django.contrib import admin

from shequ.meetings.models import ActionItem, Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("topic", "convener", "starts_at", "status")
    list_filter = ("status",)
    search_fields = ("topic",)
    readonly_fields = [f.name for f in Meeting._meta.fields]

    def has_add_permission(self, request) -> bool:  # meetings are convened through the pages or the API
        return False


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ("description", "responsible_party", "due_at", "status", "escalation_level")
    list_filter = ("status",)
    readonly_fields = [f.name for f in ActionItem._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
