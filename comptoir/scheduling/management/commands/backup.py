from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comptoir.core.errors import DomainError
from comptoir.scheduling import backup


class Command(BaseCommand):
    help = (
        "Sauvegarde cohérente pendant que l'application tourne : base (API de sauvegarde SQLite ou "
        "pg_dump), fichiers, manifeste SHA-256 avec la tête de la chaîne d'audit."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, metavar="DOSSIER", help="Dossier à créer (vide).")

    def handle(self, *args, **options):
        try:
            manifest = backup.make(Path(options["out"]))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        head = manifest["audit_head"]
        self.stdout.write(
            f"Sauvegarde {manifest['backend']} écrite dans {options['out']} : {len(manifest['files'])} "
            f"fichier(s), journal d'audit jusqu'au n° {head['seq']} ({head['hash'][:12]}…)."
        )
