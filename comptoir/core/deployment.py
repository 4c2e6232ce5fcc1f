"""What a production start refuses: the development secret key, debug mode. The production server
(`comptoir serve`) calls `require_production_settings` before serving anything; the development server
(`make run`, the demo) and the tests do not, so they run with nothing set. `comptoir check --deploy`
reports the same and the rest of Django's deployment checks (a test runs it under the documented
production environment)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def problems() -> list[str]:
    found = []
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        found.append(
            "COMPTOIR_SECRET_KEY n'est pas défini : la clé de développement ne protège rien. "
            "Définissez COMPTOIR_SECRET_KEY (ou COMPTOIR_SECRET_KEY_FILE), 50 caractères aléatoires ou plus "
            "(COMPTOIR_SECRET_KEY is not set: the development key protects nothing)."
        )
    elif len(settings.SECRET_KEY) < 50:
        found.append(
            "COMPTOIR_SECRET_KEY est trop courte : 50 caractères ou plus "
            "(COMPTOIR_SECRET_KEY is too short: 50 characters or more)."
        )
    if settings.DEBUG:
        found.append(
            "COMPTOIR_DEBUG=1 affiche le détail des erreurs à qui les provoque : interdit en production "
            "(debug mode shows error details to anyone: not in production)."
        )
    return found


def require_production_settings() -> None:
    found = problems()
    if found:
        raise ImproperlyConfigured("Démarrage refusé / start refused:\n- " + "\n- ".join(found))
