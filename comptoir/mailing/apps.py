from django.apps import AppConfig


class MailingConfig(AppConfig):
    name = "comptoir.mailing"
    label = "mailing"
