from django.urls import path

from shequ.appeals import views

app_name = "appeals"

urlpatterns = [
    path("report", views.report, name="report"),
    path("mine", views.mine, name="mine"),
    path("public", views.public, name="public"),
    path("<int:pk>", views.detail, name="detail"),
    path("<int:pk>/photos/<int:photo_id>/<str:size>", views.photo, name="photo"),
    path("<int:pk>/act/<slug:action>", views.act, name="act"),
    path("<int:pk>/follow", views.follow, name="follow"),
    path("workbench", views.workbench, name="workbench"),
    path("workbench/queue", views.workbench_queue, name="workbench_queue"),
    path("workbench/accept", views.bulk_accept, name="bulk_accept"),
    path("workbench/file", views.file_for_resident, name="file"),
]
