from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "shequ.activities"
    label = "activities"
