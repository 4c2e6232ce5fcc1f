"""User accounts and their roles, managed from the settings pages: create a user, change their roles,
set a new password, deactivate and reactivate them.

A user is never deleted: the audit trail names them (`AuditEvent.actor`), so a person who leaves is
deactivated — they can no longer sign in, their API tokens are revoked, and their past actions stay
attributed. A new password revokes the user's API tokens too.
Roles are Django groups named after the role codes of `permissions.py`.

Each action is one transaction, checks `user.manage` (administrators), refuses with a French message
and writes one audit event. An administrator cannot lock themselves out (remove their own admin role,
deactivate their own account), and the company always keeps one active administrator.

`core/management/accounts.py` stays the bootstrap path of the `create-user` command: it creates the very
first administrator, when nobody could hold `user.manage` yet.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_noop as N_

from comptoir.core import audit, permissions, tokens
from comptoir.core.errors import Conflict, DomainError
from comptoir.core.errors import fail as _fail
from comptoir.core.models import ApiToken
from comptoir.core.permissions import ALL_ROLES, ROLE_LABELS, Role

USERNAME_REQUIRED = ("username_required", N_("Indiquez un nom d'utilisateur."))
INVALID_USERNAME = (
    "invalid_username",
    N_(
        "Le nom d'utilisateur « %(value)s » n'est pas valide : lettres, chiffres et @ . + - _ seulement, "
        "150 caractères au plus."
    ),
)
DUPLICATE_USERNAME = (
    "duplicate_username",
    N_("L'utilisateur « %(value)s » existe déjà : choisissez un autre nom."),
)
INVALID_EMAIL = ("invalid_email", N_("L'adresse e-mail « %(value)s » n'est pas valide."))
ROLE_REQUIRED = ("role_required", N_("Choisissez au moins un rôle : sans rôle, l'utilisateur ne voit rien."))
UNKNOWN_ROLE = ("unknown_role", N_("Rôle inconnu : %(roles)s."))
WEAK_PASSWORD = ("weak_password", N_("Mot de passe refusé : %(reasons)s"))
OWN_ADMIN_ROLE = (
    "cannot_remove_own_admin_role",
    N_(
        "Vous ne pouvez pas retirer votre propre rôle d'administrateur : demandez-le à un autre "
        "administrateur, afin que personne ne se retrouve sans accès aux paramètres."
    ),
)
DEACTIVATE_SELF = (
    "cannot_deactivate_self",
    N_("Vous ne pouvez pas désactiver votre propre compte : un autre administrateur doit le faire."),
)
LAST_ADMIN = (
    "last_active_admin",
    N_("%(username)s est le dernier administrateur actif : nommez d'abord un autre administrateur."),
)
WRONG_CURRENT_PASSWORD = (
    "wrong_current_password",
    N_("Le mot de passe actuel est incorrect : retapez-le pour confirmer que c'est bien vous."),
)
ALREADY_INACTIVE = ("user_already_inactive", N_("Le compte de %(username)s est déjà désactivé."))
ALREADY_ACTIVE = ("user_already_active", N_("Le compte de %(username)s est déjà actif."))

MAX_NAME_LENGTH = 150


def _roles(roles) -> list[str]:
    """The chosen roles, known, without duplicates, in the order of `ALL_ROLES`."""
    chosen = set(roles or ())
    unknown = sorted(chosen - set(ALL_ROLES))
    if unknown:
        _fail(UNKNOWN_ROLE, roles=", ".join(unknown))
    if not chosen:
        _fail(ROLE_REQUIRED)
    return [role for role in ALL_ROLES if role in chosen]


def _groups(roles: list[str]) -> list[Group]:
    for role in roles:
        Group.objects.get_or_create(name=role)
    return list(Group.objects.filter(name__in=roles))


def stored_roles(user) -> list[str]:
    """The role groups of a user, in the order of `ALL_ROLES` (a superuser's implicit admin aside)."""
    names = set(user.groups.values_list("name", flat=True))
    return [role for role in ALL_ROLES if role in names]


def _forget_cached_roles(*users) -> None:
    # permissions.roles_of caches the roles on the user object for the request.
    for user in users:
        if user is not None and hasattr(user, "_comptoir_roles"):
            del user._comptoir_roles


def _active_admins():
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=Role.ADMIN))
        .distinct()
    )


def _keep_an_admin(user) -> None:
    """Called after `user` lost the admin role or was deactivated, still inside the transaction."""
    if not _active_admins().exists():
        _fail(LAST_ADMIN, username=user.get_username())


def _lock(user):
    return get_user_model().objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def create_user(
    *, by, username: str, password: str, roles, first_name: str = "", last_name: str = "", email: str = ""
):
    """A new active user with `roles`. The password goes through Django's password validators."""
    permissions.require(by, "user.manage")
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        _fail(USERNAME_REQUIRED)
    try:
        User.username_validator(username)
    except ValidationError:
        _fail(INVALID_USERNAME, value=username[:40])
    if len(username) > MAX_NAME_LENGTH:
        _fail(INVALID_USERNAME, value=username[:40])
    # Case-insensitive: « Claire » and « claire » side by side would be mistaken for one another.
    if User.objects.filter(username__iexact=username).exists():
        _fail(DUPLICATE_USERNAME, value=username)
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            _fail(INVALID_EMAIL, value=email[:80])
    roles = _roles(roles)
    _check_password_strength(
        password, User(username=username, email=email, first_name=first_name, last_name=last_name)
    )
    user = User.objects.create_user(
        username=username,
        password=password,
        email=email,
        first_name=(first_name or "").strip()[:MAX_NAME_LENGTH],
        last_name=(last_name or "").strip()[:MAX_NAME_LENGTH],
    )
    user.groups.set(_groups(roles))
    audit.record("user.created", by=by, obj=user, data={"roles": roles, "superuser": False})
    return user


@transaction.atomic
def set_roles(user, roles, *, by):
    """Replace the roles of `user`. An administrator cannot remove their own admin role."""
    permissions.require(by, "user.manage")
    user = _lock(user)
    roles = _roles(roles)
    before = stored_roles(user)
    if before == roles:
        return user
    if user.pk == by.pk and Role.ADMIN not in roles and not user.is_superuser:
        _fail(OWN_ADMIN_ROLE)
    user.groups.set(_groups(roles))
    if Role.ADMIN in before and Role.ADMIN not in roles:
        _keep_an_admin(user)
    _forget_cached_roles(user, by)
    audit.record("user.roles_changed", by=by, obj=user, data={"before": before, "after": roles})
    return user


def _check_password_strength(password: str, user) -> None:
    try:
        validate_password(password or "", user=user)
    except ValidationError as exc:
        raise DomainError(WEAK_PASSWORD[0], WEAK_PASSWORD[1], reasons=" ".join(exc.messages)) from None


@transaction.atomic
def change_password(user, *, by, new_password: str, current_password: str | None = None):
    """Give `user` a new password.

    Users change their own by retyping the current one (a session left open must not be enough);
    an administrator (`user.manage`) sets anyone's without it, for a person who forgot theirs; `by=None`
    is the server's command line (`comptoir changepassword`), whose operator already holds the
    database. The password itself never reaches the audit trail.
    """
    if by is not None and by.pk == user.pk:
        if not user.check_password(current_password or ""):
            _fail(WRONG_CURRENT_PASSWORD)
    elif by is not None:
        permissions.require(by, "user.manage")
    user = _lock(user)
    _check_password_strength(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    # A password is changed to shut someone out: the tokens made under the old one go with it.
    revoked = tokens.revoke_all(user, reason=ApiToken.RevokedReason.PASSWORD_CHANGED)
    audit.record("user.password_changed", by=by, obj=user, data={"tokens_revoked": revoked})
    return user


@transaction.atomic
def deactivate_user(user, *, by):
    """The user can no longer sign in nor use their API tokens; what they did stays attributed to them."""
    permissions.require(by, "user.manage")
    user = _lock(user)
    if user.pk == by.pk:
        _fail(DEACTIVATE_SELF)
    if not user.is_active:
        code, message = ALREADY_INACTIVE
        raise Conflict(code, message, username=user.get_username())
    user.is_active = False
    user.save(update_fields=["is_active"])
    _keep_an_admin(user)
    # For good: reactivating the account later does not bring its tokens back.
    revoked = tokens.revoke_all(user, reason=ApiToken.RevokedReason.USER_DEACTIVATED)
    audit.record("user.deactivated", by=by, obj=user, data={"tokens_revoked": revoked})
    return user


@transaction.atomic
def reactivate_user(user, *, by):
    permissions.require(by, "user.manage")
    user = _lock(user)
    if user.is_active:
        code, message = ALREADY_ACTIVE
        raise Conflict(code, message, username=user.get_username())
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record("user.reactivated", by=by, obj=user)
    return user


def role_labels(roles) -> list[str]:
    return [str(ROLE_LABELS[role]) for role in roles if role in ROLE_LABELS]
