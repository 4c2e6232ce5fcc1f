from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "comptoir.scheduling"
    label = "scheduling"
    verbose_name = "Tâches planifiées"
