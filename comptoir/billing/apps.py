from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "comptoir.billing"
    label = "billing"
