"""`comptoir export-facturx NUMBER --out FILE` or `comptoir export-facturx --all --out DIR`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comptoir.billing import einvoicing
from comptoir.billing.models import Invoice


class Command(BaseCommand):
    help = (
        "Exporte les factures, factures d'acompte et avoirs émis au format Factur-X (PDF/A-3 + XML EN 16931)."
    )

    def add_arguments(self, parser):
        parser.add_argument("number", nargs="?", help="numéro de la facture, ex. FA-2026-00001")
        parser.add_argument("--all", action="store_true", help="toutes les pièces émises, un PDF chacune")
        parser.add_argument("--out", required=True, help="fichier (une pièce) ou dossier (--all)")

    def handle(self, *args, number=None, all=False, out, **options):
        if bool(number) == bool(all):
            raise CommandError("Indiquez soit un numéro de facture, soit --all.")
        issued = Invoice.objects.filter(status=Invoice.Status.ISSUED).select_related("corrects", "order")
        if number:
            invoice = issued.filter(number=number).first()
            if invoice is None:
                raise CommandError(f"Aucune pièce émise ne porte le numéro {number}.")
            target = Path(out)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(einvoicing.facturx_pdf(invoice))
            self.stdout.write(f"{invoice.number} → {target}")
            return
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        count = 0
        for invoice in issued.order_by("series", "number").iterator(chunk_size=200):
            (folder / f"{invoice.number}.pdf").write_bytes(einvoicing.facturx_pdf(invoice))
            count += 1
        self.stdout.write(f"{count} pièce(s) exportée(s) dans {folder}")
