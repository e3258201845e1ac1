from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "shequ.forum"
    verbose_name = _("邻里交流")
    label = "forum"
