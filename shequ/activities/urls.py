from django.urls import path

from shequ.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/signup/", views.signup, name="signup"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/cancel/undo/", views.cancel_undo, name="cancel_undo"),
    path("<int:pk>/call-off/", views.activity_cancel, name="activity_cancel"),
    path("<int:pk>/checkin/", views.checkin, name="checkin"),
    path("<int:pk>/checkin/<int:signup_id>/", views.checkin_by_organiser, name="checkin_by_organiser"),
    path("venues/", views.venues, name="venues"),
    path("venues/<int:pk>/", views.venue, name="venue"),
    path("venues/<int:pk>/slots/", views.slots_add, name="slots_add"),
    path("slots/<int:slot_id>/book/", views.book, name="book"),
    path("bookings/", views.bookings, name="bookings"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/decide/", views.decide, name="decide"),
    path("approvals/", views.approvals, name="approvals"),
]
