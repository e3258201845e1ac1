from django.urls import path

from shequ.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.feed, name="feed"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/restore/", views.restore, name="restore"),
    path("<int:pk>/pin/", views.pin, name="pin"),
    path("<int:pk>/unread/<int:building_id>/", views.unread, name="unread"),
    path("<int:pk>/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("community/<int:community_id>/atom.xml", views.atom, name="atom"),
    path("property/", views.property_index, name="property_index"),
    path("property/<int:party_id>/", views.property_page, name="property"),
    path("owners/", views.owners_index, name="owners_index"),
    path("owners/<int:party_id>/", views.owners_page, name="owners"),
    path("doctor/", views.doctor_page, name="doctor"),
    path("police/", views.police_page, name="police"),
]
