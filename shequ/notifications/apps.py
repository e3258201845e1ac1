from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "shequ.notifications"
    label = "notifications"
