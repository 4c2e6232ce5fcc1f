from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "comptoir.aftersales"
    label = "aftersales"
