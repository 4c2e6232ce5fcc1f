"""`comptoir unlock-login USERNAME | --ip ADDRESS | --list`: sign-in lockouts from the command line."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from comptoir.core import login_throttle
from comptoir.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Débloque la connexion d'un compte ou d'une adresse IP bloqués après trop d'échecs (enregistré au "
        "journal d'audit) ; --list montre les blocages en cours."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="")
        parser.add_argument("--ip", default="", help="adresse IP à débloquer")
        parser.add_argument(
            "--list", action="store_true", dest="show", help="montre les comptes et adresses bloqués"
        )

    def handle(self, *args, username, ip, show, **options):
        if show:
            lockouts = login_throttle.lockouts()
            if not lockouts:
                self.stdout.write("Aucune connexion bloquée.")
            for lock in lockouts:
                kind = "compte " if lock.kind == login_throttle.ACCOUNT else "adresse"
                lifts = timezone.localtime(lock.lifts_at).strftime("%d/%m/%Y %H:%M")
                self.stdout.write(
                    f"{kind} {lock.value}\t{lock.failures} échecs\tlevé au plus tard le {lifts}"
                )
            return
        try:
            failures = login_throttle.unlock(by=None, username=username, ip_address=ip)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2 if exc.status == 400 else 1) from None
        self.stdout.write(f"Connexion débloquée pour « {username or ip} » ({failures} échecs oubliés).")
