from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "shequ.notifications"
    verbose_name = _("消息通知")
    label = "notifications"
