from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "shequ.appeals"
    label = "appeals"
