from django.urls import path

from shequ.directory import views

app_name = "directory"

urlpatterns = [
    path("registrations/", views.registrations, name="registrations"),
]
