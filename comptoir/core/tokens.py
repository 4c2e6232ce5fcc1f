"""API tokens: created with a lifetime, revoked for good, checked on every API request.

A token is a bearer secret (`cpt_…`) shown once; only its SHA-256 is stored (`ApiToken.key_hash`), so a
copy of the database gives no working token. It works until `expires_at` (chosen at creation within
settings.API_TOKEN_MAX_DAYS; settings.API_TOKEN_DAYS by default) unless revoked first. Who may act:

- its owner creates and revokes their own tokens (an API token carries exactly the owner's roles);
- an administrator (`user.manage`) creates and revokes anyone's;
- `by=None` is the server's command line (`create-token`, `revoke-token`), whose operator already
  holds the database.

`core.users` revokes every token of a user who changes password or is deactivated (`revoke_all`,
inside that service's transaction and audit event): a leaked token must not outlive the password
change meant to shut an intruder out. Each action here writes one audit event; a token's use does not
(`last_used_at` is refreshed at most once a minute instead).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from comptoir.core import audit, permissions
from comptoir.core.errors import Conflict
from comptoir.core.errors import fail as _fail
from comptoir.core.models import ApiToken

INVALID_LIFETIME = (
    "invalid_token_lifetime",
    N_("La durée de validité d'un jeton va de 1 à %(max)s jours."),
)
USER_INACTIVE = (
    "token_user_inactive",
    N_("Le compte de %(username)s est désactivé : il ne peut pas recevoir de jeton d'API."),
)
ALREADY_REVOKED = ("token_already_revoked", N_("Le jeton %(prefix)s… est déjà révoqué."))

# `last_used_at` is informative ("used today"), so it is refreshed at most once a minute rather than
# costing a write on every request.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    key: str  # the clear key: shown once, never stored


def _require_owner_or_admin(by, owner) -> None:
    if by is not None and by.pk != owner.pk:
        permissions.require(by, "user.manage")


def _describe(token: ApiToken, user) -> str:
    return f"{token.prefix}… ({user.get_username()})"


@transaction.atomic
def create_token(user, *, by, name: str = "", days: int | None = None) -> NewToken:
    """A new token for `user`, valid `days` days (settings.API_TOKEN_DAYS if not given)."""
    _require_owner_or_admin(by, user)
    days = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        _fail(INVALID_LIFETIME, max=settings.API_TOKEN_MAX_DAYS)
    # Locked, as deactivation locks it: a token cannot slip in beside a deactivation.
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        _fail(USER_INACTIVE, username=user.get_username())
    key = ApiToken.new_key()
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[:80],
        key_hash=ApiToken.hash_key(key),
        prefix=key[:8],
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    audit.record(
        "api_token.created",
        by=by,
        obj=token,
        object_repr=_describe(token, user),
        data={
            "user": user.get_username(),
            "label": token.name,
            "prefix": token.prefix,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return NewToken(token, key)


@transaction.atomic
def revoke_token(token: ApiToken, *, by) -> ApiToken:
    """The token stops working at once, for good."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    _require_owner_or_admin(by, token.user)
    if token.revoked_at is not None:
        code, message = ALREADY_REVOKED
        raise Conflict(code, message, prefix=token.prefix)
    token.revoked_at = timezone.now()
    token.revoked_reason = ApiToken.RevokedReason.MANUAL
    token.save(update_fields=["revoked_at", "revoked_reason"])
    audit.record(
        "api_token.revoked",
        by=by,
        obj=token,
        object_repr=_describe(token, token.user),
        data={"user": token.user.get_username(), "prefix": token.prefix, "reason": token.revoked_reason},
    )
    return token


def revoke_all(user, *, reason: str) -> list[str]:
    """Revoke every token of `user` still usable; the prefixes revoked, for the caller's audit event.

    Called by `core.users` inside its own transaction and audit event (no event here)."""
    now = timezone.now()
    usable = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
    prefixes = list(usable.order_by("pk").values_list("prefix", flat=True))
    if prefixes:
        usable.update(revoked_at=now, revoked_reason=reason)
    return prefixes


def user_for_key(key: str):
    """The active user a clear key authenticates, or None: unknown, revoked or expired token, or
    deactivated user. One query; `last_used_at` written at most once a minute."""
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        return None
    now = timezone.now()
    found = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if found is None or not found.user.is_active:
        return None
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user


def tokens_of(user):
    """Every token of `user`, newest first (revoked and expired ones included, for the record)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
