from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "shequ.directory"
    label = "directory"
