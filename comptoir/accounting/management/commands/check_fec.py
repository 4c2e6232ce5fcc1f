from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comptoir.accounting.fec import ENCODINGS
from comptoir.accounting.fec_check import inspect


def _euros(value) -> str:
    return f"{value:.2f}".replace(".", ",")


class Command(BaseCommand):
    help = (
        "Contrôle la structure d'un FEC (en-tête, zones, dates, montants, équilibre, numérotation, lettrage). "
        "Code de sortie 1 si une anomalie est trouvée."
    )
    # Reads a file only: no database, no need to check the project.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="le fichier FEC (<SIREN>FEC<AAAAMMJJ>.txt)")
        parser.add_argument(
            "--encoding", choices=ENCODINGS, default="utf-8", help="codage des caractères du fichier"
        )
        parser.add_argument(
            "--allow-zero-lines", action="store_true", help="accepter les lignes sans débit ni crédit"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        report = inspect(path, allow_zero_lines=options["allow_zero_lines"], encoding=options["encoding"])
        for violation in report.violations:
            self.stdout.write(str(violation))
        if report.violations:
            self.stderr.write(
                f"FEC non conforme : {len(report.violations)} anomalie(s), {report.lines} lignes lues."
            )
            raise SystemExit(1)
        self.stdout.write(f"FEC conforme : {report.lines} lignes, débit = crédit = {_euros(report.debit)}")
