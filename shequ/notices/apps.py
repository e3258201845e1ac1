from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "shequ.notices"
    verbose_name = _("社区公告")
    label = "notices"
