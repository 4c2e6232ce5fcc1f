"""Django's `createsuperuser`, refused: it writes an administrator without an audit event.

`comptoir create-user NAME --superuser` does the same through the audited path (core/management/accounts.py).
"""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Remplacée par « comptoir create-user NOM --superuser » (création enregistrée au journal d'audit)."
    requires_system_checks = []

    def add_arguments(self, parser):
        # Accept whatever Django's command took, so a script calling it gets the explanation below.
        parser.add_argument("args", nargs="*")
        parser.add_argument("--noinput", "--no-input", action="store_true")
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--database")

    def handle(self, *args, **options):
        raise CommandError(
            "createsuperuser n'est pas disponible : utilisez « comptoir create-user NOM --superuser » "
            "(ou --role admin), qui enregistre la création dans le journal d'audit.",
            returncode=2,
        )
