from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from comptoir.core.errors import DomainError
from comptoir.intake import mailbox, services


class Command(BaseCommand):
    help = (
        "Commandes reçues. « comptoir intake import FICHIER... --user claire » : chaque fichier est conservé "
        "et lu (Order-X, UBL, EDIFACT ORDERS, tableur CSV/XLSX, e-mail .eml : ses pièces jointes et le texte "
        "de son message ; factures reconnues) ; une ligne par document dit son état. Code de sortie 1 si un "
        "fichier est refusé (vide, trop gros, illisible sur le disque). « comptoir intake fetch-mail » : "
        "relève la boîte aux lettres (COMPTOIR_INTAKE_IMAP_*) ; chaque message lu est déplacé dans le dossier "
        "des messages traités, un message en échec dans le dossier d'erreurs ; code de sortie 1 si la boîte "
        "est injoignable ou si un message a échoué."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "action",
            choices=["import", "fetch-mail"],
            help="import : déposer des fichiers ; fetch-mail : relever la boîte aux lettres",
        )
        parser.add_argument("paths", nargs="*", help="les fichiers (ou dossiers : leurs fichiers)")
        parser.add_argument(
            "--user", help="l'utilisateur qui dépose (ADV, direction…) ; fetch-mail : « boite-aux-lettres »"
        )
        parser.add_argument("--sender", default="", help="l'expéditeur, s'il est connu")

    def _files(self, paths):
        for name in paths:
            path = Path(name)
            if path.is_dir():
                yield from sorted(p for p in path.iterdir() if p.is_file())
            else:
                yield path

    def _user(self, username):
        User = get_user_model()
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"Utilisateur inconnu ou désactivé : « {username} ».", returncode=2) from None

    def _line(self, path, document, created) -> str:
        status = document.get_status_display()
        known = "" if created else " (déjà reçu)"
        reason = f" — {document.reason}" if document.reason else ""
        customer = f", client {document.customer.name}" if document.customer_id else ""
        po = f", commande {document.po_number}" if document.po_number else ""
        auto = ", acceptée automatiquement" if document.auto_accepted else ""
        return f"{path} : {document.number}{known}, {status}{po}{customer}{auto}{reason}"

    def handle(self, *args, action, paths, user, sender, **options):
        if action == "fetch-mail":
            return self._fetch_mail(user)
        if not paths:
            raise CommandError("Indiquez au moins un fichier à importer.", returncode=2)
        if not user:
            raise CommandError("Indiquez l'utilisateur qui dépose : --user NOM.", returncode=2)
        by = self._user(user)
        refused = 0
        for path in self._files(paths):
            try:
                content = path.read_bytes()
            except OSError as exc:
                self.stderr.write(f"{path} : fichier illisible ({exc.strerror}).")
                refused += 1
                continue
            try:
                if mailbox.is_email(content):
                    outcome = mailbox.receive_message(content, channel="cli", by=by, name=path.name)
                    if outcome.already:
                        self.stdout.write(f"{path} : message déjà reçu.")
                    for document, created in outcome.documents:
                        self.stdout.write(self._line(f"{path} › {document.file_name}", document, created))
                    continue
                document, created = services.receive(
                    content, name=path.name, channel="cli", by=by, sender=sender
                )
            except DomainError as exc:
                self.stderr.write(f"{path} : {exc.message} [{exc.code}]")
                refused += 1
                continue
            self.stdout.write(self._line(path, document, created))
        if refused:
            raise CommandError(f"{refused} fichier(s) refusé(s).", returncode=1)

    def _fetch_mail(self, username):
        by = self._user(username) if username else None
        try:
            report = mailbox.fetch_mail(by=by)
        except mailbox.MailboxError as exc:
            raise CommandError(str(exc), returncode=1) from None
        for line in report.lines:
            self.stdout.write(line)
        self.stdout.write(report.summary())
        if report.failed:
            raise CommandError(f"{report.failed} message(s) en échec.", returncode=1)
