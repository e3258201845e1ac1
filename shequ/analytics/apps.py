from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "shequ.analytics"
    label = "analytics"
    verbose_name = "数据分析研判"

    def ready(self) -> None:
        from shequ.appeals.extensions import register_workbench_link  # noqa: PLC0415
        from shequ.notifications.verbs import URGENT, register  # noqa: PLC0415

        register("analytics.spike", _("数据预警：诉求量异常上升"), URGENT)

        register_workbench_link(name="league", url_name="analytics:league", label=_("物业排行"), order=30)
