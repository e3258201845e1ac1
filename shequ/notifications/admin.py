from django.contrib import admin

from shequ.notifications.models import AreaWatch, Delivery, Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "verb", "created_at", "read_at")
    list_filter = ("verb",)
    search_fields = ("title", "recipient__phone", "recipient__real_name")
    raw_id_fields = ("recipient",)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("notification", "channel", "status", "attempts", "sent_at", "next_attempt_at")
    list_filter = ("channel", "status")
    raw_id_fields = ("notification",)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "verb", "channel", "enabled")
    raw_id_fields = ("user",)


@admin.register(AreaWatch)
class AreaWatchAdmin(admin.ModelAdmin):
    list_display = ("user", "place", "new_appeals", "resolved", "notices", "created_at")
    raw_id_fields = ("user", "place")
