from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "comptoir.pricing"
    label = "pricing"
