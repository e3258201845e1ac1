from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "shequ.directory"
    label = "directory"
    verbose_name = _("地点与治理主体")
