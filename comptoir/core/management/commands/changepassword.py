"""`comptoir changepassword USERNAME`: Django's command, through the audited service.

Django's own command would set the password behind the audit trail's back and leave the user's API
tokens working; `core.users.change_password` records the change and revokes the tokens.
"""

import getpass
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from comptoir.core import users
from comptoir.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Change le mot de passe d'un utilisateur (enregistré au journal d'audit ; ses jetons d'API sont "
        "révoqués)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", help="nouveau mot de passe (demandé au terminal s'il est omis)")

    def handle(self, *args, username, password, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"Utilisateur inconnu : « {username} ».", returncode=2) from None
        if password is None:
            password = self._prompt_password()
        try:
            users.change_password(user, by=None, new_password=password)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(f"Mot de passe de « {username} » changé.")

    def _prompt_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(
                "Mot de passe requis : passez --password (aucun terminal pour le demander).", returncode=2
            )
        password = getpass.getpass("Nouveau mot de passe : ")
        if password != getpass.getpass("Nouveau mot de passe (confirmation) : "):
            raise CommandError("Les deux mots de passe diffèrent.", returncode=2)
        return password
