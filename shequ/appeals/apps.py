from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "shequ.appeals"
    verbose_name = _("诉求")
    label = "appeals"

    def ready(self) -> None:
        from shequ.appeals import extensions  # noqa: F401, PLC0415  (registers the system check)
