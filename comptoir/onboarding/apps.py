from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "comptoir.onboarding"
    label = "onboarding"
