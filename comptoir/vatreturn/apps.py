from django.apps import AppConfig


class VatReturnConfig(AppConfig):
    name = "comptoir.vatreturn"
    label = "vatreturn"
