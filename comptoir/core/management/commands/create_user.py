import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from comptoir.core.management.accounts import AccountError, check_roles, create_user
from comptoir.core.permissions import ALL_ROLES


class Command(BaseCommand):
    help = f"Crée un utilisateur avec un ou plusieurs rôles ({', '.join(ALL_ROLES)})."
    # Like createsuperuser: no need to import every URL and template to run this.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", action="append", default=[], dest="roles", help="rôle (répétable)")
        parser.add_argument("--password", help="mot de passe (demandé au terminal s'il est omis)")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--superuser", action="store_true", help="administrateur quels que soient ses rôles"
        )

    def handle(self, *args, username, roles, password, email, superuser, **options):
        try:
            # Refuse a bad role before asking for a password the user would type for nothing.
            check_roles(roles)
            if password is None:
                password = self._prompt_password()
            user = create_user(username, roles=roles, password=password, email=email, superuser=superuser)
        except AccountError as exc:
            raise CommandError(str(exc), returncode=exc.returncode) from None
        described = ", ".join(roles) or "superutilisateur"
        self.stdout.write(f"Utilisateur « {user.get_username()} » créé ({described}).")

    def _prompt_password(self) -> str:
        if not sys.stdin.isatty():
            raise AccountError(
                "Mot de passe requis : passez --password (aucun terminal pour le demander).", returncode=2
            )
        password = getpass.getpass("Mot de passe : ")
        if password != getpass.getpass("Mot de passe (confirmation) : "):
            raise AccountError("Les deux mots de passe diffèrent.", returncode=2)
        return password
