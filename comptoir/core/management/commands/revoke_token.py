"""`comptoir revoke-token ID|KEY` or `--user USERNAME`: revoke API tokens from the command line."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from comptoir.core import tokens
from comptoir.core.errors import DomainError
from comptoir.core.models import ApiToken


class Command(BaseCommand):
    help = (
        "Révoque un jeton d'API (par son numéro, affiché par list-tokens, ou par le jeton lui-même), ou "
        "tous les jetons d'un utilisateur avec --user. Enregistré au journal d'audit."
    )

    def add_arguments(self, parser):
        parser.add_argument("token", nargs="?", default="", help="numéro du jeton, ou le jeton cpt_… entier")
        parser.add_argument(
            "--user", default="", help="révoque tous les jetons encore valables de cet utilisateur"
        )

    def handle(self, *args, token, user, **options):
        if bool(token) == bool(user):
            raise CommandError("Indiquez un jeton ou --user NOM (l'un ou l'autre).", returncode=2)
        targets = self._by_user(user) if user else [self._find(token)]
        try:
            with transaction.atomic():
                for target in targets:
                    tokens.revoke_token(target, by=None)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=1) from None
        for target in targets:
            self.stdout.write(f"Jeton {target.prefix}… ({target.user.get_username()}) révoqué.")
        if user:
            self.stdout.write(f"{len(targets)} jeton(s) révoqué(s) pour « {user} ».")

    def _find(self, token: str) -> ApiToken:
        tokens_ = ApiToken.objects.select_related("user")
        found = (
            tokens_.filter(pk=int(token)).first()
            if token.isdigit()
            else tokens_.filter(key_hash=ApiToken.hash_key(token.strip())).first()
        )
        if found is None:
            raise CommandError(f"Aucun jeton ne correspond à « {token[:12]} ».", returncode=2)
        return found

    def _by_user(self, username: str) -> list[ApiToken]:
        User = get_user_model()
        try:
            owner = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"Utilisateur inconnu : « {username} ».", returncode=2) from None
        return [
            token for token in tokens.tokens_of(owner).select_related("user") if token.status() == "active"
        ]
