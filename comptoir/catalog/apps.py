from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "comptoir.catalog"
    label = "catalog"
