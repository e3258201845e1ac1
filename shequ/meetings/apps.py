from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "shequ.meetings"
    label = "meetings"
    verbose_name = "协调会"
    default_auto_field = "django.db.models.BigAutoField"
