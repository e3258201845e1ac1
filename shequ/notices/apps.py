from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "shequ.notices"
    label = "notices"
