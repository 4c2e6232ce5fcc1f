from django.apps import AppConfig


class StockConfig(AppConfig):
    name = "comptoir.stock"
    label = "stock"
