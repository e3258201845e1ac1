from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "shequ.meetings"
    label = "meetings"
    verbose_name = "协调会"
    default_auto_field = "django.db.models.BigAutoField"
    # The staff start page's block (portal's registry, docs/start-pages.md).
    shequ_start_blocks = ("shequ.meetings.start.block",)

    def ready(self) -> None:
        from shequ.appeals.extensions import register_appeal_block, register_workbench_link  # noqa: PLC0415

        # "已在协调会…上讨论" on an appeal's page; only public appeals are ever on an agenda.
        register_appeal_block(
            name="meetings", url_name="meetings:appeal_block", order=30, applies=lambda a: a.is_public
        )
        register_workbench_link(name="meetings", url_name="meetings:index", label=_("会议与待办"), order=40)
