"""The bootstrap path of user accounts, shared by `create-user` and the demo generator: it creates the
very first administrator, when nobody could hold `user.manage` yet (core/users.py is the path once
someone does). API tokens are core/tokens.py's.

Each function is one transaction and writes one audit event, like a business service.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from comptoir.core import audit
from comptoir.core.permissions import ALL_ROLES


class AccountError(Exception):
    """A refusal the command turns into a message and an exit code (2: bad input, 1: conflict)."""

    def __init__(self, message: str, *, returncode: int = 1):
        super().__init__(message)
        self.returncode = returncode


def check_roles(roles) -> list[str]:
    unknown = [role for role in roles if role not in ALL_ROLES]
    if unknown:
        raise AccountError(
            f"Rôle inconnu : {', '.join(unknown)}. Rôles possibles : {', '.join(ALL_ROLES)}.",
            returncode=2,
        )
    return list(dict.fromkeys(roles))


def check_password(password: str, *, username: str = "") -> None:
    from django.core.exceptions import ValidationError

    try:
        validate_password(password, user=get_user_model()(username=username))
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages), returncode=2) from None


@transaction.atomic
def create_user(username: str, *, roles, password: str, email: str = "", superuser: bool = False, by=None):
    """Create a user with the given roles (Django groups named after the role codes)."""
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise AccountError("Le nom d'utilisateur est obligatoire.", returncode=2)
    roles = check_roles(roles)
    if not roles and not superuser:
        raise AccountError(
            f"Indiquez au moins un rôle (--role), parmi : {', '.join(ALL_ROLES)}.",
            returncode=2,
        )
    check_password(password, username=username)
    if User.objects.filter(username=username).exists():
        raise AccountError(f"L'utilisateur « {username} » existe déjà.")
    user = User.objects.create_user(username=username, password=password, email=email)
    if superuser:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    for role in roles:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    audit.record("user.created", by=by, obj=user, data={"roles": roles, "superuser": superuser})
    return user
