from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "comptoir.archive"
    label = "archive"
