from django.contrib import admin

from shequ.forum.models import Ban, Board, ModerationLog, SensitiveWord


@admin.register(SensitiveWord)
class SensitiveWordAdmin(admin.ModelAdmin):
    list_display = ("word", "action", "is_active", "updated_at")
    list_filter = ("action", "is_active")
    list_editable = ("action", "is_active")
    search_fields = ("word",)


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ("name", "place", "is_active")
    list_filter = ("is_active",)


@admin.register(ModerationLog)
class ModerationLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "actor", "topic", "reply", "target_user", "reason")
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    list_display = ("user", "community", "reason", "until", "is_active")
    list_filter = ("is_active",)
