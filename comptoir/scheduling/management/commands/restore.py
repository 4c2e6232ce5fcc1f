from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comptoir.core.errors import DomainError
from comptoir.scheduling import backup


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde dans la base configurée (DATABASE_URL), qui doit être vide, et ses "
        "fichiers ; vérifie chaque empreinte avant et après."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DOSSIER")

    def handle(self, *args, **options):
        try:
            manifest = backup.restore(Path(options["directory"]))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Restauré : base {manifest['backend']} du {manifest['created_at']}, journal d'audit jusqu'au "
            f"n° {manifest['audit_head']['seq']}. Lancez « comptoir verify-audit »"
            + (" et « comptoir grant-app-role ROLE »." if manifest["backend"] == "postgresql" else ".")
        )
