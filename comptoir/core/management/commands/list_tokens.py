"""`comptoir list-tokens [USERNAME]`: API tokens, their state, expiry and last use (never the key)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from comptoir.core.models import ApiToken

STATUS = {"active": "actif", "expired": "expiré", "revoked": "révoqué"}


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else "jamais"


class Command(BaseCommand):
    help = "Liste les jetons d'API (d'un utilisateur, ou de tous) : numéro, début, état, expiration, dernier usage."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="")

    def handle(self, *args, username, **options):
        qs = ApiToken.objects.select_related("user").order_by("user__username", "-created_at", "-pk")
        if username:
            User = get_user_model()
            if not User.objects.filter(username=username).exists():
                raise CommandError(f"Utilisateur inconnu : « {username} ».", returncode=2)
            qs = qs.filter(user__username=username)
        now = timezone.now()
        rows = 0
        for token in qs.iterator():
            rows += 1
            self.stdout.write(
                "\t".join(
                    [
                        str(token.pk),
                        f"{token.prefix}…",
                        token.user.get_username(),
                        STATUS[token.status(now)],
                        f"expire {_when(token.expires_at)}",
                        f"dernier usage {_when(token.last_used_at)}",
                        token.name,
                    ]
                )
            )
        if not rows:
            self.stdout.write("Aucun jeton.")
