from django.urls import path

from shequ.decisions import views

app_name = "decisions"

urlpatterns = [
    path("", views.index, name="index"),
    path("new", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/vote", views.vote, name="vote"),
    path("<int:pk>/receipt", views.receipt, name="receipt"),
    path("<int:pk>/ballots", views.ballots, name="ballots"),
    path("<int:pk>/export.xlsx", views.export, name="export"),
    path("<int:pk>/<str:action>", views.act, name="act"),
    path("ballot/<int:ballot_id>/document", views.document, name="document"),
    path("register/", views.my_register, name="my_register"),
    path("register/template.xlsx", views.register_template, name="register_template"),
    path("register/<int:compound_id>/", views.register_page, name="register"),
]
