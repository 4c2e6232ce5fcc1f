"""Users and roles managed by an administrator: create, change roles, deactivate and reactivate; never
delete, never lock oneself out."""

import pytest
from django.contrib.auth import authenticate, get_user_model

from comptoir.core.errors import Conflict, DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import PERMISSIONS, Role, roles_of
from comptoir.core.testing import make_user
from comptoir.core.users import create_user, deactivate_user, reactivate_user, set_roles, stored_roles

pytestmark = pytest.mark.django_db

PASSWORD = "Un-mot-de-passe-2026"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _create(by, username="claire", roles=(Role.COMPTABILITE,), **extra):
    return create_user(by=by, username=username, password=PASSWORD, roles=roles, **extra)


def test_an_admin_creates_a_user_who_can_sign_in_with_exactly_the_chosen_roles(admin_user):
    user = _create(
        admin_user,
        roles=[Role.COMPTABILITE, Role.ADV],
        first_name="Claire",
        last_name="Petit",
        email="c@x.fr",
    )
    assert authenticate(username="claire", password=PASSWORD) == user
    assert roles_of(user) == {Role.COMPTABILITE, Role.ADV}
    assert (user.get_full_name(), user.email, user.is_staff, user.is_superuser) == (
        "Claire Petit",
        "c@x.fr",
        False,
        False,
    )
    event = AuditEvent.objects.get(action="user.created")
    assert (event.actor, event.object_id, event.data["roles"]) == (
        admin_user,
        str(user.pk),
        ["adv", "comptabilite"],
    )


def test_only_an_admin_manages_users(boss):
    with pytest.raises(PermissionDenied):
        _create(boss)
    assert not get_user_model().objects.filter(username="claire").exists()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"username": " "}, "username_required"),
        ({"username": "claire dupont"}, "invalid_username"),
        ({"username": "DIRECTION"}, "duplicate_username"),
        ({"roles": []}, "role_required"),
        ({"roles": ["stagiaire"]}, "unknown_role"),
        ({"email": "pas-un-email"}, "invalid_email"),
    ],
)
def test_user_creation_refusals(admin_user, boss, changes, code):
    fields = {"username": "claire", "roles": [Role.ADV]} | changes
    with pytest.raises(DomainError) as exc:
        create_user(by=admin_user, password=PASSWORD, **fields)
    assert exc.value.code == code
    assert exc.value.message  # a French sentence
    assert not AuditEvent.objects.filter(action="user.created").exists()


def test_a_weak_password_is_refused_with_the_validators_reasons(admin_user):
    with pytest.raises(DomainError) as exc:
        create_user(by=admin_user, username="claire", password="court", roles=[Role.ADV])
    assert exc.value.code == "weak_password"
    assert "Mot de passe refusé" in exc.value.message
    assert not get_user_model().objects.filter(username="claire").exists()


def test_changing_roles_replaces_them_and_is_audited(admin_user):
    user = _create(admin_user, roles=[Role.COMMERCIAL])
    set_roles(user, [Role.ADV, Role.DIRECTION], by=admin_user)
    assert stored_roles(user) == [Role.ADV, Role.DIRECTION]
    assert roles_of(get_user_model().objects.get(pk=user.pk)) == {Role.ADV, Role.DIRECTION}
    event = AuditEvent.objects.get(action="user.roles_changed")
    assert event.data == {"before": ["commercial"], "after": ["adv", "direction"]}


def test_setting_the_same_roles_writes_nothing(admin_user):
    user = _create(admin_user, roles=[Role.COMMERCIAL])
    set_roles(user, [Role.COMMERCIAL], by=admin_user)
    assert not AuditEvent.objects.filter(action="user.roles_changed").exists()


def test_an_admin_cannot_remove_their_own_admin_role(admin_user):
    with pytest.raises(DomainError) as exc:
        set_roles(admin_user, [Role.DIRECTION], by=admin_user)
    assert exc.value.code == "cannot_remove_own_admin_role"
    assert "votre propre rôle d'administrateur" in exc.value.message
    assert stored_roles(admin_user) == [Role.ADMIN]
    # Adding a role to oneself is fine.
    set_roles(admin_user, [Role.DIRECTION, Role.ADMIN], by=admin_user)
    assert stored_roles(admin_user) == [Role.DIRECTION, Role.ADMIN]


def test_an_admin_may_remove_another_admins_role(admin_user):
    other = _create(admin_user, username="second", roles=[Role.ADMIN])
    set_roles(other, [Role.DIRECTION], by=admin_user)
    assert roles_of(get_user_model().objects.get(pk=other.pk)) == {Role.DIRECTION}


def test_the_company_always_keeps_an_active_admin(admin_user, boss, monkeypatch):
    # Should user.manage ever be granted beyond admins, the last administrator still cannot be demoted.
    monkeypatch.setitem(PERMISSIONS, Role.DIRECTION, PERMISSIONS[Role.DIRECTION] | {"user.manage"})
    with pytest.raises(DomainError) as exc:
        set_roles(admin_user, [Role.COMPTABILITE], by=boss)
    assert exc.value.code == "last_active_admin"
    with pytest.raises(DomainError) as exc:
        deactivate_user(admin_user, by=boss)
    assert exc.value.code == "last_active_admin"
    admin_user.refresh_from_db()
    assert admin_user.is_active and stored_roles(admin_user) == [Role.ADMIN]


def test_a_deactivated_user_cannot_sign_in_and_stays_in_the_audit_trail(admin_user):
    user = _create(admin_user)
    deactivate_user(user, by=admin_user)
    user.refresh_from_db()
    assert not user.is_active
    assert authenticate(username="claire", password=PASSWORD) is None
    assert roles_of(user) == set()
    assert AuditEvent.objects.filter(object_type="auth.user", object_id=str(user.pk)).count() == 2
    with pytest.raises(Conflict) as exc:
        deactivate_user(user, by=admin_user)
    assert exc.value.code == "user_already_inactive"

    reactivate_user(user, by=admin_user)
    assert authenticate(username="claire", password=PASSWORD) is not None
    actions = list(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert actions == ["user.created", "user.deactivated", "user.reactivated"]
    with pytest.raises(Conflict):
        reactivate_user(user, by=admin_user)


def test_an_admin_cannot_deactivate_themselves(admin_user):
    with pytest.raises(DomainError) as exc:
        deactivate_user(admin_user, by=admin_user)
    assert exc.value.code == "cannot_deactivate_self"
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_only_an_admin_deactivates(boss):
    victim = make_user("victime", Role.ADV)
    with pytest.raises(PermissionDenied):
        deactivate_user(victim, by=boss)
    with pytest.raises(PermissionDenied):
        set_roles(victim, [Role.ADMIN], by=boss)
