from django.urls import path

from shequ.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("who/", views.who, name="who"),
    path("home/switch", views.switch, name="switch"),
]
