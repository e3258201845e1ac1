from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "shequ.stations"
    label = "stations"
    verbose_name = "互助站"
    default_auto_field = "django.db.models.BigAutoField"
