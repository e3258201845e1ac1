from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shequ.accounts"
    label = "accounts"
