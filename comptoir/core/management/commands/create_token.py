from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from comptoir.core.management.accounts import create_token


class Command(BaseCommand):
    help = "Crée un jeton d'API pour un utilisateur et l'affiche (une seule fois : seule son empreinte est gardée)."
    # Like createsuperuser: no need to import every URL and template to run this.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="à quoi sert ce jeton (ex. « ERP client »)")

    def handle(self, *args, username, name, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"Utilisateur inconnu : « {username} ».", returncode=2) from None
        if not user.is_active:
            raise CommandError(f"L'utilisateur « {username} » est désactivé.")
        created = create_token(user, name=name)
        # The key alone on stdout, so that scripts can capture it; the advice goes to stderr.
        self.stdout.write(created.key)
        self.stderr.write(
            f"Jeton {created.token.prefix}… créé pour « {username} ». Conservez-le : il ne sera plus affiché."
        )
