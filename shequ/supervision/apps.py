from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "shequ.supervision"
    label = "supervision"
    verbose_name = "督办"

    def ready(self) -> None:
        from shequ.supervision import policies

        policies.install()
