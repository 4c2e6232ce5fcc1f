import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comptoir.vatreturn import ereporting


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Date non valide : {text} (attendu AAAA-MM-JJ).") from None


class Command(BaseCommand):
    help = (
        "Écrit les données d'e-reporting d'une période en JSON (classement B2B / B2BINT / B2C / hors champ, "
        "totaux B2C par jour, factures internationales, encaissements) : "
        "comptoir ereporting --from 2026-11-01 --to 2026-11-30 --out e-reporting.json."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, help="premier jour (AAAA-MM-JJ)")
        parser.add_argument("--to", dest="date_to", required=True, help="dernier jour, inclus (AAAA-MM-JJ)")
        parser.add_argument("--out", default="-", help="fichier à écrire (par défaut : la sortie standard)")

    def handle(self, *args, **options):
        start, end = _day(options["date_from"]), _day(options["date_to"])
        if end < start:
            raise CommandError("La fin de la période précède son début.")
        text = json.dumps(ereporting.report(start, end), ensure_ascii=False, indent=2)
        if options["out"] == "-":
            self.stdout.write(text)
            return
        path = Path(options["out"])
        path.write_text(text + "\n", encoding="utf-8")
        self.stdout.write(str(path))
