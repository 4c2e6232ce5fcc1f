from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "comptoir.returns"
    label = "returns"
    verbose_name = "Retours et litiges"
