from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "shequ.supervision"
    label = "supervision"
    verbose_name = "督办"

    def ready(self) -> None:
        from shequ.appeals.extensions import register_appeal_block, register_workbench_link  # noqa: PLC0415
        from shequ.appeals.models import Kind  # noqa: PLC0415

        # The whistle board and its buttons on every appeal but a private consultation.
        register_appeal_block(
            name="supervision",
            url_name="supervision:board",
            order=20,
            applies=lambda a: a.kind != Kind.CONSULT,
        )
        register_workbench_link(
            name="escalated", url_name="supervision:escalated", label=_("升级督办"), order=10
        )
        register_workbench_link(
            name="summonses", url_name="supervision:summonses", label=_("报到任务"), order=20
        )
