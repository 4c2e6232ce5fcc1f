from pathlib import Path

from django.core.management.base import BaseCommand

from comptoir.scheduling import backup


class Command(BaseCommand):
    help = (
        "Vérifie une sauvegarde : manifeste, présence et empreinte SHA-256 de chaque fichier (code 1 sinon)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DOSSIER")

    def handle(self, *args, **options):
        check = backup.verify(Path(options["directory"]))
        if check.ok:
            self.stdout.write(
                f"Sauvegarde intègre : {len(check.manifest['files'])} fichier(s) vérifié(s), journal d'audit "
                f"jusqu'au n° {check.manifest['audit_head']['seq']}."
            )
            return
        self.stderr.write(f"Sauvegarde invalide : {len(check.problems)} problème(s).")
        for problem in check.problems:
            self.stderr.write(f"  - {problem}")
        raise SystemExit(1)
