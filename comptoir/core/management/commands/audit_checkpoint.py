from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError

from comptoir.core import checkpoints


class Command(BaseCommand):
    help = (
        "Exporte un point de contrôle signé de la fin du journal d'audit hors de la base "
        "(fichier, e-mail) : une troncature ou une réécriture ultérieure sera détectée par verify-audit."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", metavar="FICHIER", help="Fichier (ajout) ; par défaut celui des réglages."
        )
        parser.add_argument("--mail", action="append", default=[], metavar="ADRESSE", help="L'envoyer aussi.")

    def handle(self, *args, **options):
        checkpoint = checkpoints.take()
        if checkpoint is None:
            raise CommandError("Le journal d'audit est vide : rien à attester.")
        path = checkpoints.append(checkpoint, options["out"])
        self.stdout.write(f"Point de contrôle n° {checkpoint.seq} ({checkpoint.hash[:12]}…) ajouté à {path}.")
        if options["mail"]:
            send_mail(
                f"Comptoir : point de contrôle du journal d'audit n° {checkpoint.seq}",
                "Conservez ce message : il atteste la fin du journal d'audit à cette date.\n"
                "Pour vérifier, enregistrez la ligne ci-dessous dans un fichier et lancez\n"
                "comptoir verify-audit --checkpoints FICHIER\n\n" + checkpoint.line() + "\n",
                settings.DEFAULT_FROM_EMAIL,
                options["mail"],
            )
            self.stdout.write("Envoyé à " + ", ".join(options["mail"]) + ".")
