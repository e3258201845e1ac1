from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "shequ.analytics"
    label = "analytics"
    verbose_name = "数据分析研判"
