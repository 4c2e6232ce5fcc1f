from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "comptoir.crm"
    label = "crm"
