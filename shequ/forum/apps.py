from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "shequ.forum"
    label = "forum"
