from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "shequ.appeals"
    label = "appeals"

    def ready(self) -> None:
        from shequ.appeals import extensions  # noqa: F401, PLC0415  (registers the system check)
