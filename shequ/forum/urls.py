from django.urls import path

from shequ.forum import views

app_name = "forum"

urlpatterns = [
    path("", views.index, name="index"),
    path("board/<int:pk>/", views.board, name="board"),
    path("board/<int:pk>/new/", views.topic_new, name="topic_new"),
    path("board/<int:pk>/moderation/", views.moderation, name="moderation"),
    path("board/<int:pk>/ban/", views.ban, name="ban"),
    path("mute/<int:user_id>/", views.mute, name="mute"),
    path("topic/<int:pk>/", views.topic, name="topic"),
    path("topic/<int:pk>/reply/", views.reply, name="reply"),
    path("<str:kind>/<int:pk>/like/", views.like, name="like"),
    path("<str:kind>/<int:pk>/report/", views.report, name="report"),
    path("<str:kind>/<int:pk>/moderate/", views.moderate, name="moderate"),
]
