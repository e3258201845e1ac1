from django.urls import path

from shequ.portal import areas, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("who/", views.who, name="who"),
    path("home/switch", views.switch, name="switch"),
    path("areas/", areas.areas, name="areas"),
]
