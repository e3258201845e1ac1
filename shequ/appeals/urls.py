from django.urls import path

from shequ.appeals.views import filing, lists, page, report, workbench

app_name = "appeals"

urlpatterns = [
    path("report", report.report, name="report"),
    path("mine", lists.mine, name="mine"),
    path("public", lists.public, name="public"),
    path("<int:pk>", page.detail, name="detail"),
    path("<int:pk>/photos/<int:photo_id>/<str:size>", page.photo, name="photo"),
    path("<int:pk>/act/<slug:action>", page.act, name="act"),
    path("<int:pk>/follow", page.follow, name="follow"),
    path("workbench", workbench.workbench, name="workbench"),
    path("workbench/queue", workbench.workbench_queue, name="workbench_queue"),
    path("workbench/export.xlsx", workbench.workbench_export, name="workbench_export"),
    path("workbench/accept", workbench.bulk_accept, name="bulk_accept"),
    path("workbench/file", filing.file_for_resident, name="file"),
]
