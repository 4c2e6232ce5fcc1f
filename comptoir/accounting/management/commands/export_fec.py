from django.core.management.base import BaseCommand, CommandError

from comptoir.accounting.fec import ENCODINGS, write_fec
from comptoir.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Exporte le FEC (fichier des écritures comptables) d'un exercice : "
        "comptoir export-fec --year 2026 --out DOSSIER."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            required=True,
            help="l'exercice, désigné par l'année de sa clôture (2026 : exercice clos en 2026)",
        )
        parser.add_argument(
            "--out", default=".", help="dossier où écrire le fichier (par défaut : dossier courant)"
        )
        parser.add_argument(
            "--encoding",
            choices=ENCODINGS,
            default="utf-8",
            help=(
                "codage des caractères (utf-8 par défaut ; iso-8859-15 est celui que cite l'article A47 A-1 : "
                "les caractères absents de Latin-9 y sont transcrits au plus proche, — en -, ’ en ')"
            ),
        )

    def handle(self, *args, **options):
        try:
            result = write_fec(options["year"], options["out"], encoding=options["encoding"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(str(result.path))
        self.stdout.write(
            f"{result.lines} lignes d'écritures, exercice du {result.date_from:%d/%m/%Y} au {result.date_to:%d/%m/%Y}."
        )
        if result.transliterated:
            shown = ", ".join(f"{char} → {sub}" for char, sub in sorted(result.transliterated.items()))
            self.stdout.write(
                f"ISO 8859-15 : {len(result.transliterated)} caractère(s) absent(s) de Latin-9 transcrit(s) "
                f"au plus proche ({shown})."
            )
