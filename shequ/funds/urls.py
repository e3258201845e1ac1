from django.urls import path

from shequ.funds import views

app_name = "funds"

urlpatterns = [
    path("", views.index, name="index"),
    path("review", views.review, name="review"),
    path("account/<int:pk>/", views.account, name="account"),
    path("account/<int:pk>/ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("application/<int:pk>/", views.application, name="application"),
    path("application/<int:pk>/<str:action>", views.act, name="act"),
    path("event/<int:event_id>/document", views.document, name="document"),
]
