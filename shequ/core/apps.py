from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shequ.core"
    label = "core"
    verbose_name = _("系统")

    def ready(self) -> None:
        from django.apps import apps

        # The admin's section heading of the login guard (django-axes names itself "Axes").
        if apps.is_installed("axes"):
            apps.get_app_config("axes").verbose_name = _("登录防护")
