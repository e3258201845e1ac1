from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shequ.api"
    label = "api"
