from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "shequ.activities"
    verbose_name = _("社区服务")
    label = "activities"
