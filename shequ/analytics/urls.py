from django.urls import path

from shequ.analytics import views

app_name = "analytics"

urlpatterns = [
    path("parties/<int:pk>/", views.party, name="party"),
    path("league/", views.league, name="league"),
    path("league/export.xlsx", views.league_export, name="league_export"),
    path("street/", views.street_dashboard, name="street_dashboard"),
    path("street/export.xlsx", views.street_export, name="street_export"),
    path("community/", views.community_dashboard, name="community_dashboard"),
    path("community/export.xlsx", views.community_export, name="community_export"),
    path("hotline/", views.hotline, name="hotline"),
    path("hotline/export", views.hotline_export, name="hotline_export"),
    path("hotline/orders/<int:pk>/assign", views.hotline_assign, name="hotline_assign"),
]
