import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from comptoir.accounting.services import open_fiscal_year
from comptoir.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Ouvre un exercice comptable au nom d'un utilisateur (comptabilité, direction ou administrateur) : "
        "comptoir open-fiscal-year --user claire [--date 2027-01-01]."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--user", required=True, help="l'utilisateur qui ouvre l'exercice (journal d'audit)"
        )
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="un jour de l'exercice à ouvrir, AAAA-MM-JJ (par défaut : aujourd'hui)",
        )

    def handle(self, *args, user, date, **options):
        User = get_user_model()
        try:
            by = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"Utilisateur inconnu ou désactivé : « {user} ».", returncode=2) from None
        try:
            year = open_fiscal_year(date, by=by)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Exercice {year.name} ouvert, du {year.start_date:%d/%m/%Y} au {year.end_date:%d/%m/%Y}."
        )
