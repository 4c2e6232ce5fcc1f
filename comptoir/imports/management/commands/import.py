from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from comptoir.core.errors import DomainError
from comptoir.imports import presets
from comptoir.imports.report import summary_lines
from comptoir.imports.services import run_import

KIND_NAMES = {
    "customers": "customers",
    "clients": "customers",
    "suppliers": "suppliers",
    "fournisseurs": "suppliers",
    "products": "products",
    "produits": "products",
    "price_lists": "price_lists",
    "listes-de-prix": "price_lists",
    "stock": "stock",
    "open_invoices": "open_invoices",
    "factures-ouvertes": "open_invoices",
    "supplier_invoices": "supplier_invoices",
    "factures-fournisseurs-ouvertes": "supplier_invoices",
    "opening_balances": "opening_balances",
    "soldes-ouverture": "opening_balances",
}


class Command(BaseCommand):
    help = (
        "Importe des clients, des fournisseurs, des produits, des listes de prix, le stock de départ, les "
        "factures clients ou fournisseurs ouvertes ou les soldes "
        "d'ouverture (balance ou FEC, --preset fec) depuis un fichier CSV ou XLSX : "
        "comptoir import customers clients.csv --user claire [--preset dolibarr] [--dry-run] [--valid-only]. "
        "Affiche le rapport ligne par ligne ; code de sortie 1 si des lignes sont refusées."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "kind",
            choices=sorted(KIND_NAMES),
            help="customers, products, stock, open_invoices ou opening_balances",
        )
        parser.add_argument("file", help="le fichier CSV ou XLSX")
        parser.add_argument(
            "--user", required=True, help="l'utilisateur qui importe (direction ou administrateur)"
        )
        parser.add_argument(
            "--preset", default="comptoir", choices=sorted(presets.PRESETS), help="le format du fichier"
        )
        parser.add_argument("--dry-run", action="store_true", help="test : rapport sans rien enregistrer")
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="importe les lignes valides même si d'autres sont refusées (sinon : tout ou rien)",
        )
        parser.add_argument("--refused", help="écrit les lignes refusées dans ce fichier CSV, à corriger")

    def handle(self, *args, kind, file, user, preset, dry_run, valid_only, refused, **options):
        User = get_user_model()
        try:
            by = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"Utilisateur inconnu ou désactivé : « {user} ».", returncode=2) from None
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Fichier illisible : {file} ({exc.strerror}).", returncode=2) from None
        try:
            report = run_import(
                KIND_NAMES[kind],
                content,
                file_name=path.name,
                by=by,
                preset=preset,
                dry_run=dry_run,
                valid_only=valid_only,
            )
        except DomainError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]", returncode=2) from exc
        for line in summary_lines(report):
            self.stdout.write(line)
        if refused and report.refusals:
            Path(refused).write_text(report.refused_rows_csv(), encoding="utf-8")
            self.stdout.write(f"Lignes refusées écrites dans {refused}.")
        if report.counts["refused"]:
            raise CommandError(
                f"{report.counts['refused']} ligne(s) refusée(s)."
                if report.imported or dry_run
                else f"{report.counts['refused']} ligne(s) refusée(s) : rien n'a été importé "
                "(corrigez le fichier, ou --valid-only pour importer les lignes valides).",
                returncode=1,
            )
