from django.urls import path

from shequ.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/account.xlsx", views.account_export, name="account_export"),
    path("<int:pk>/fundings/", views.funding, name="funding"),
    path("<int:pk>/fundings/<int:funding_id>/receive/", views.receive, name="receive"),
    path("<int:pk>/spendings/", views.spending, name="spending"),
    path("<int:pk>/milestones/", views.milestone, name="milestone"),
    path("<int:pk>/files/<str:kind>/<int:row_id>/", views.file, name="file"),
    path("<int:pk>/<str:action>/", views.transition, name="transition"),
]
