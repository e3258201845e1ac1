from django.urls import path

from shequ.supervision import views

app_name = "supervision"

urlpatterns = [
    path("escalated/", views.escalated, name="escalated"),
    path("escalated/export.xlsx", views.escalated_export, name="escalated_export"),
    path("summonses/", views.summonses, name="summonses"),
    path("summonses/<int:pk>/<str:step>", views.summons_act, name="summons_act"),
    path("appeals/<int:appeal_id>/whistle", views.whistle, name="whistle"),
    path("appeals/<int:appeal_id>/helper", views.helper, name="helper"),
    path("appeals/<int:appeal_id>/whistles", views.board, name="board"),
]
