from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from comptoir.core import tokens
from comptoir.core.errors import DomainError


class Command(BaseCommand):
    help = "Crée un jeton d'API pour un utilisateur et l'affiche (une seule fois : seule son empreinte est gardée)."
    # Like createsuperuser: no need to import every URL and template to run this.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="à quoi sert ce jeton (ex. « ERP client »)")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"durée de validité en jours (par défaut {settings.API_TOKEN_DAYS}, au plus {settings.API_TOKEN_MAX_DAYS})",
        )

    def handle(self, *args, username, name, days, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"Utilisateur inconnu : « {username} ».", returncode=2) from None
        try:
            created = tokens.create_token(user, by=None, name=name, days=days)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        expires = timezone.localtime(created.token.expires_at).strftime("%d/%m/%Y")
        # The key alone on stdout, so that scripts can capture it; the advice goes to stderr.
        self.stdout.write(created.key)
        self.stderr.write(
            f"Jeton {created.token.prefix}… créé pour « {username} », valable jusqu'au {expires}. "
            "Conservez-le : il ne sera plus affiché."
        )
