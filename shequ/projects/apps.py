from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "shequ.projects"
    label = "projects"
    verbose_name = "小微项目"
    default_auto_field = "django.db.models.BigAutoField"
