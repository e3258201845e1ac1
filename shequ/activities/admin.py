from django.contrib import admin

from shequ.activities.models import Activity, Booking, Venue, VenueSlot


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "place", "owner", "capacity", "is_active")
    list_filter = ("is_active",)
    raw_id_fields = ("place", "community", "spot", "owner")


@admin.register(VenueSlot)
class VenueSlotAdmin(admin.ModelAdmin):
    list_display = ("venue", "starts_at", "ends_at")
    list_filter = ("venue",)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "organiser", "starts_at", "capacity", "confirmed_count", "status")
    list_filter = ("kind", "status")
    readonly_fields = ("confirmed_count", "waitlist_count", "checkin_code")


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("venue", "slot", "user", "status", "created_at")
    list_filter = ("status",)
    readonly_fields = ("venue", "slot", "user", "status", "decided_by", "decided_at")
