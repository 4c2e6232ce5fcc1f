from django.apps import AppConfig


class AccountingConfig(AppConfig):
    name = "comptoir.accounting"
    label = "accounting"
