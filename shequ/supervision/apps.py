from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "shequ.supervision"
    label = "supervision"
