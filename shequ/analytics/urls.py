from django.urls import path

from shequ.analytics import views

app_name = "analytics"

urlpatterns = [
    path("parties/<int:pk>/", views.party, name="party"),
    path("league/", views.league, name="league"),
]
