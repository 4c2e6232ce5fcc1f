"""`comptoir check-einvoices [--no-validate]`: every issued document, the same amounts everywhere.

Every document is checked to the end: each discrepancy is printed with the document's number, and the
command exits non-zero if there was any."""

from django.core.management.base import BaseCommand, CommandError

from comptoir.billing.conformity import check_issued


class Command(BaseCommand):
    help = (
        "Vérifie chaque facture, facture d'acompte et avoir émis : XML archivé, PDF Factur-X (XML embarqué et "
        "montants imprimés) et écriture comptable au centime près, puis les validateurs officiels."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-validate",
            dest="validate",
            action="store_false",
            help="sans les validateurs officiels (plus rapide)",
        )

    def handle(self, *args, validate=True, **options):
        checked, found = check_issued(validate=validate)
        for discrepancy in found:
            self.stdout.write(str(discrepancy))
        if found:
            documents = len({discrepancy.number for discrepancy in found})
            raise CommandError(
                f"{documents} pièce(s) en écart sur {checked} pièce(s) émise(s) ({len(found)} écart(s))."
            )
        self.stdout.write(f"{checked} pièce(s) émise(s) vérifiée(s) : aucun écart.")
