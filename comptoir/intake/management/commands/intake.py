from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from comptoir.core.errors import DomainError
from comptoir.intake import services


class Command(BaseCommand):
    help = (
        "Commandes reçues : comptoir intake import FICHIER... --user claire. Chaque fichier est conservé et "
        "lu (Order-X, UBL, EDIFACT ORDERS, tableur CSV/XLSX ; factures reconnues) ; une ligne par fichier "
        "dit son état. Code de sortie 1 si un fichier est refusé (vide, trop gros, illisible sur le disque)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import"], help="import : déposer des fichiers")
        parser.add_argument("paths", nargs="+", help="les fichiers (ou dossiers : leurs fichiers)")
        parser.add_argument("--user", required=True, help="l'utilisateur qui dépose (ADV, direction…)")
        parser.add_argument("--sender", default="", help="l'expéditeur, s'il est connu")

    def _files(self, paths):
        for name in paths:
            path = Path(name)
            if path.is_dir():
                yield from sorted(p for p in path.iterdir() if p.is_file())
            else:
                yield path

    def handle(self, *args, action, paths, user, sender, **options):
        User = get_user_model()
        try:
            by = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"Utilisateur inconnu ou désactivé : « {user} ».", returncode=2) from None
        refused = 0
        for path in self._files(paths):
            try:
                content = path.read_bytes()
            except OSError as exc:
                self.stderr.write(f"{path} : fichier illisible ({exc.strerror}).")
                refused += 1
                continue
            try:
                document, created = services.receive(
                    content, name=path.name, channel="cli", by=by, sender=sender
                )
            except DomainError as exc:
                self.stderr.write(f"{path} : {exc.message} [{exc.code}]")
                refused += 1
                continue
            status = document.get_status_display()
            known = "" if created else " (déjà reçu)"
            reason = f" — {document.reason}" if document.reason else ""
            customer = f", client {document.customer.name}" if document.customer_id else ""
            po = f", commande {document.po_number}" if document.po_number else ""
            self.stdout.write(f"{path} : {document.number}{known}, {status}{po}{customer}{reason}")
        if refused:
            raise CommandError(f"{refused} fichier(s) refusé(s).", returncode=1)
