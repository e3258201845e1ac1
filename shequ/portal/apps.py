from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "shequ.portal"
    verbose_name = _("首页")
    label = "portal"
    # Blocks of the staff start pages (docs/start-pages.md). Any app may declare its own the same way.
    shequ_start_blocks = (
        "shequ.portal.start_blocks.summonses",
        "shequ.portal.start_blocks.street",
        "shequ.portal.start_blocks.escalations",
        "shequ.portal.start_blocks.dispatch",
        "shequ.portal.start_blocks.queue",
    )

    def ready(self) -> None:
        from shequ.portal import start  # noqa: F401  (registers the start-block system check)
