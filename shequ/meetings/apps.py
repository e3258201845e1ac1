from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "shequ.meetings"
    label = "meetings"
    verbose_name = "协调会"
    default_auto_field = "django.db.models.BigAutoField"
    # The staff start page's block (docs/start-pages.md); imports portal's block types, see pyproject.
    shequ_start_blocks = ("shequ.meetings.start.block",)
