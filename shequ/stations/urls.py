from django.urls import path

from shequ.stations import views

app_name = "stations"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/needs/", views.needs, name="needs"),
    path("<int:pk>/hours.xlsx", views.hours_export, name="hours_export"),
    path("needs/<int:appeal_id>/", views.need, name="need"),
    path("me/hours/", views.my_hours, name="my_hours"),
    path("me/hours.xlsx", views.my_hours_export, name="my_hours_export"),
    path("courses/", views.courses, name="courses"),
    path("courses/<int:pk>/", views.course, name="course"),
    path("courses/<int:pk>/records.xlsx", views.course_export, name="course_export"),
    path("party/", views.party, name="party"),
    path("party/<int:pk>/", views.branch, name="branch"),
]
