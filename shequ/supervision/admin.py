from django.contrib import admin

from shequ.supervision import policies
from shequ.supervision.models import Summons, Whistle, WhistleLimit


class ClearsPolicyCache(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        policies.clear_cache()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        policies.clear_cache()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        policies.clear_cache()


@admin.register(WhistleLimit)
class WhistleLimitAdmin(ClearsPolicyCache):
    list_display = ("kind", "limit", "unit")


class SummonsInline(admin.TabularInline):
    model = Summons
    extra = 0
    fields = ("department", "due_at", "reported_in_at", "acted", "reported_back_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Whistle)
class WhistleAdmin(admin.ModelAdmin):
    list_display = ("appeal", "kind", "party", "blown_at", "closed_at")
    list_filter = ("kind",)
    raw_id_fields = ("appeal",)
    inlines = [SummonsInline]

    def has_add_permission(self, request):
        return False  # whistles are blown through the service, never typed in
