from django.urls import path

from shequ.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("appeal/<int:appeal_id>/block/", views.appeal_block, name="appeal_block"),
    path("items/export.xlsx", views.export_my_items, name="export_my_items"),
    path("items/<int:item_id>/", views.item, name="item"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/summary/", views.summary, name="summary"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/invitations/<int:invitation_id>/answer/", views.answer, name="answer"),
    path("<int:pk>/agenda/", views.agenda, name="agenda"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/decisions/", views.decision, name="decision"),
    path("<int:pk>/items/", views.action_item, name="action_item"),
    path("<int:pk>/<str:action>/", views.transition, name="transition"),
    path("<int:pk>/export/<str:kind>.xlsx", views.export, name="export"),
]
