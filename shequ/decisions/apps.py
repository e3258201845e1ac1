from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "shequ.decisions"
    label = "decisions"
    verbose_name = _("业主名册与业主共同决定")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shequ.notifications.verbs import register  # noqa: PLC0415

        register("decision.opened", _("业主表决开始投票"))
        register("decision.closed", _("业主表决结果"))
        register("election.opened", _("选举开始投票"))
        register("fund.step", _("维修资金申请进展"))
