"""API tokens: created with a lifetime, refused once expired or revoked, revoked by their owner or an
administrator and automatically when the owner is deactivated or changes password; every action audited;
the clear key shown once, only its SHA-256 kept."""

import datetime

import pytest
from django.utils import timezone

from comptoir.core import tokens
from comptoir.core.errors import Conflict, DomainError, PermissionDenied
from comptoir.core.models import ApiToken, AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.core.users import change_password, deactivate_user, reactivate_user

pytestmark = pytest.mark.django_db

PASSWORD = "Un-mot-de-passe-2026"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def claire(db):
    return make_user("claire", Role.COMPTABILITE, password=PASSWORD)


def works(key: str) -> bool:
    """The key authenticates (what the API's bearer authentication asks, comptoir/api/auth.py)."""
    return tokens.user_for_key(key) is not None


def test_a_token_lives_the_default_lifetime_and_only_its_hash_is_kept(claire, settings):
    created = tokens.create_token(claire, by=claire, name="ERP client")

    token = created.token
    assert created.key.startswith("cpt_") and token.prefix == created.key[:8]
    assert token.key_hash == ApiToken.hash_key(created.key)
    assert not ApiToken.objects.filter(key_hash=created.key).exists()
    lifetime = token.expires_at - token.created_at
    assert abs(lifetime - datetime.timedelta(days=settings.API_TOKEN_DAYS)) < datetime.timedelta(seconds=5)
    assert works(created.key)
    event = AuditEvent.objects.get(action="api_token.created")
    assert (event.actor, event.object_id) == (claire, str(token.pk))
    assert event.data["expires_at"] == token.expires_at.isoformat()
    assert created.key not in str(event.data) and token.key_hash not in str(event.data)


def test_the_lifetime_is_chosen_at_creation_within_the_maximum(claire, settings):
    week = tokens.create_token(claire, by=claire, days=7).token
    assert (week.expires_at - week.created_at).days == 7
    for days in (0, -1, settings.API_TOKEN_MAX_DAYS + 1):
        with pytest.raises(DomainError) as refused:
            tokens.create_token(claire, by=claire, days=days)
        assert refused.value.code == "invalid_token_lifetime"
    assert ApiToken.objects.count() == 1


def test_an_expired_token_is_refused(claire):
    key = tokens.create_token(claire, by=claire, days=1).key
    now = timezone.now()
    ApiToken.objects.update(
        created_at=now - datetime.timedelta(days=2), expires_at=now - datetime.timedelta(seconds=1)
    )
    assert not works(key)


def test_the_owner_revokes_their_token_and_it_stops_working_at_once(claire):
    created = tokens.create_token(claire, by=claire)
    other = tokens.create_token(claire, by=claire)

    tokens.revoke_token(created.token, by=claire)

    assert not works(created.key) and works(other.key)
    created.token.refresh_from_db()
    assert created.token.revoked_at is not None and created.token.revoked_reason == "manual"
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert (event.actor, event.object_id, event.data["reason"]) == (claire, str(created.token.pk), "manual")
    with pytest.raises(Conflict) as refused:
        tokens.revoke_token(created.token, by=claire)
    assert refused.value.code == "token_already_revoked"


def test_only_the_owner_or_an_administrator_revokes_a_token(claire, boss, admin_user):
    created = tokens.create_token(claire, by=claire)
    with pytest.raises(PermissionDenied):
        tokens.revoke_token(created.token, by=boss)
    assert works(created.key)
    tokens.revoke_token(created.token, by=admin_user)
    assert not works(created.key)


def test_only_an_administrator_creates_a_token_for_someone_else(claire, boss, admin_user):
    with pytest.raises(PermissionDenied):
        tokens.create_token(claire, by=boss)
    assert tokens.create_token(claire, by=admin_user).token.user == claire


def test_deactivating_a_user_revokes_their_tokens_for_good(claire, admin_user):
    created = tokens.create_token(claire, by=claire)

    deactivate_user(claire, by=admin_user)
    reactivate_user(claire, by=admin_user)

    assert not works(created.key)  # reactivation does not bring the token back
    created.token.refresh_from_db()
    assert created.token.revoked_reason == "user_deactivated"
    event = AuditEvent.objects.get(action="user.deactivated")
    assert event.data["tokens_revoked"] == [created.token.prefix]


def test_changing_ones_password_revokes_ones_tokens(claire):
    created = tokens.create_token(claire, by=claire)

    change_password(claire, by=claire, current_password=PASSWORD, new_password="Nouveau-mot-2026")

    assert not works(created.key)
    created.token.refresh_from_db()
    assert created.token.revoked_reason == "password_changed"
    event = AuditEvent.objects.get(action="user.password_changed")
    assert (event.actor, event.data["tokens_revoked"]) == (claire, [created.token.prefix])
    claire.refresh_from_db()
    assert claire.check_password("Nouveau-mot-2026")


def test_a_password_change_needs_the_current_password_or_an_administrator(claire, boss, admin_user):
    with pytest.raises(DomainError) as refused:
        change_password(claire, by=claire, current_password="faux", new_password="Nouveau-mot-2026")
    assert refused.value.code == "wrong_current_password"
    with pytest.raises(PermissionDenied):
        change_password(claire, by=boss, new_password="Nouveau-mot-2026")
    with pytest.raises(DomainError) as refused:
        change_password(claire, by=admin_user, new_password="court")
    assert refused.value.code == "weak_password"
    claire.refresh_from_db()
    assert claire.check_password(PASSWORD)
    change_password(claire, by=admin_user, new_password="Nouveau-mot-2026")
    claire.refresh_from_db()
    assert claire.check_password("Nouveau-mot-2026")
    assert not AuditEvent.objects.filter(action="user.password_changed", actor=boss).exists()


def test_a_token_cannot_be_created_for_an_inactive_user(claire, admin_user):
    deactivate_user(claire, by=admin_user)
    with pytest.raises(DomainError) as refused:
        tokens.create_token(claire, by=admin_user)
    assert refused.value.code == "token_user_inactive"


def test_a_token_of_an_inactive_user_is_refused_even_if_not_revoked(claire):
    created = tokens.create_token(claire, by=claire)
    type(claire).objects.filter(pk=claire.pk).update(is_active=False)  # behind the services' back
    assert not works(created.key)
