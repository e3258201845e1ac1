from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "shequ.meetings"
    label = "meetings"
    verbose_name = "协调会"
    default_auto_field = "django.db.models.BigAutoField"
    # The staff start page's block (portal's registry, docs/start-pages.md).
    shequ_start_blocks = ("shequ.meetings.start.block",)
