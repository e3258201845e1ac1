from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "shequ.funds"
    label = "funds"
    verbose_name = _("公共维修基金")
    default_auto_field = "django.db.models.BigAutoField"
    # "待审批" on the department's staff start page (portal's registry, docs/start-pages.md).
    shequ_start_blocks = ("shequ.funds.home.start_block",)
