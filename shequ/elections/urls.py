from django.urls import path

from shequ.elections import views

app_name = "elections"

urlpatterns = [
    path("", views.index, name="index"),
    path("new", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/roll", views.roll, name="roll"),
    path("<int:pk>/paper", views.paper, name="paper"),
    path("<int:pk>/vote", views.vote, name="vote"),
    path("<int:pk>/box", views.box, name="box"),
    path("<int:pk>/ballots", views.named_ballots, name="ballots"),
    path("<int:pk>/my-ballot", views.receipt, name="receipt"),
    path("<int:pk>/export.xlsx", views.export, name="export"),
    path("<int:pk>/<str:action>", views.act, name="act"),
]
