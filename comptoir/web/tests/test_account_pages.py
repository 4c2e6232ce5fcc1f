"""« Mon compte »: a user changes their password and manages their own API tokens; an administrator
sees and revokes a user's tokens and sets a new password from the user's page."""

import re

import pytest
from django.contrib.auth import authenticate
from django.test import Client

from comptoir.core import tokens
from comptoir.core.models import ApiToken, AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.web.tests.clients import client_for, messages_of, text_of

pytestmark = pytest.mark.django_db

ACCOUNT = "/compte/"
PASSWORD = "Bienvenue-2026"
NEW_PASSWORD = "Nouveau-mot-2026"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def claire(db):
    return make_user("claire", Role.COMPTABILITE, password=PASSWORD)


def test_every_signed_in_user_reaches_their_account_page_from_the_menu(claire):
    client = client_for(claire)
    assert f'href="{ACCOUNT}"' in text_of(client.get("/"))
    page = text_of(client.get(ACCOUNT))
    assert "Mot de passe" in page and "Jetons d'API" in page


def test_a_new_token_is_shown_once_then_only_its_prefix(claire, settings):
    client = client_for(claire)
    response = client.post(f"{ACCOUNT}jetons/", {"name": "Export comptable", "days": "30"})
    assert response.status_code == 200
    key = re.search(r"cpt_[A-Za-z0-9_-]{20,}", text_of(response)).group(0)
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(key))
    assert (token.user, token.name, (token.expires_at - token.created_at).days) == (
        claire,
        "Export comptable",
        30,
    )
    again = text_of(client.get(ACCOUNT))
    assert key not in again and token.prefix in again and "Export comptable" in again
    assert response.get("Cache-Control") and "no-store" in response["Cache-Control"]


def test_a_lifetime_beyond_the_maximum_is_refused_on_its_field(claire, settings):
    response = client_for(claire).post(
        f"{ACCOUNT}jetons/", {"name": "x", "days": str(settings.API_TOKEN_MAX_DAYS + 1)}
    )
    assert "days" in response.context["token_form"].errors
    assert not ApiToken.objects.exists()


def test_a_user_revokes_their_token_from_the_page(claire):
    created = tokens.create_token(claire, by=claire, name="ERP")
    client = client_for(claire)
    response = client.post(f"{ACCOUNT}jetons/{created.token.pk}/revoquer/", follow=True)
    assert any("révoqué" in m for m in messages_of(response))
    assert tokens.user_for_key(created.key) is None
    assert "Révoqué" in text_of(client.get(ACCOUNT))


def test_a_user_cannot_revoke_someone_elses_token_from_their_page(claire, boss):
    created = tokens.create_token(boss, by=boss)
    response = client_for(claire).post(f"{ACCOUNT}jetons/{created.token.pk}/revoquer/")
    assert response.status_code == 404
    assert tokens.user_for_key(created.key) == boss


def test_changing_ones_password_keeps_one_signed_in_and_revokes_ones_tokens(claire):
    created = tokens.create_token(claire, by=claire)
    client = client_for(claire)
    response = client.post(
        f"{ACCOUNT}mot-de-passe/",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        follow=True,
    )
    assert any("Mot de passe changé" in m for m in messages_of(response))
    assert client.get(ACCOUNT).status_code == 200  # still signed in
    assert authenticate(username="claire", password=NEW_PASSWORD) == claire
    assert tokens.user_for_key(created.key) is None
    assert AuditEvent.objects.get(action="user.password_changed").actor == claire


def test_a_wrong_current_password_or_a_mismatch_is_shown_on_its_field(claire):
    client = client_for(claire)
    response = client.post(
        f"{ACCOUNT}mot-de-passe/",
        {"current_password": "faux", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert "current_password" in response.context["password_form"].errors
    response = client.post(
        f"{ACCOUNT}mot-de-passe/",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": "autre-chose-1"},
    )
    assert "confirm_password" in response.context["password_form"].errors
    assert authenticate(username="claire", password=PASSWORD) == claire
    assert not AuditEvent.objects.filter(action="user.password_changed").exists()


def test_an_admin_sees_and_revokes_a_users_token_and_sets_a_new_password(claire, admin_user):
    created = tokens.create_token(claire, by=claire, name="ERP client")
    admin = client_for(admin_user)
    page = text_of(admin.get(f"/parametres/utilisateurs/{claire.pk}/"))
    assert created.token.prefix in page and "ERP client" in page

    admin.post(f"/parametres/utilisateurs/{claire.pk}/jetons/{created.token.pk}/revoquer/")
    assert tokens.user_for_key(created.key) is None
    assert AuditEvent.objects.get(action="api_token.revoked").actor == admin_user

    response = admin.post(
        f"/parametres/utilisateurs/{claire.pk}/mot-de-passe/",
        {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        follow=True,
    )
    assert any("Mot de passe" in m for m in messages_of(response))
    assert authenticate(username="claire", password=NEW_PASSWORD) == claire


def test_direction_cannot_reach_a_users_tokens_or_password(claire, boss):
    created = tokens.create_token(claire, by=claire)
    client = client_for(boss)
    assert (
        client.post(f"/parametres/utilisateurs/{claire.pk}/jetons/{created.token.pk}/revoquer/").status_code
        == 403
    )
    response = client.post(
        f"/parametres/utilisateurs/{claire.pk}/mot-de-passe/",
        {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert response.status_code == 403
    assert tokens.user_for_key(created.key) == claire


def test_the_account_forms_are_csrf_protected(claire):
    created = tokens.create_token(claire, by=claire)
    client = Client(enforce_csrf_checks=True)
    client.force_login(claire)
    for url, data in {
        f"{ACCOUNT}jetons/": {"name": "x", "days": "10"},
        f"{ACCOUNT}jetons/{created.token.pk}/revoquer/": {},
        f"{ACCOUNT}mot-de-passe/": {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    }.items():
        assert client.post(url, data).status_code == 403, url
    assert ApiToken.objects.count() == 1 and tokens.user_for_key(created.key) == claire


def test_guessing_the_current_password_from_an_open_session_is_throttled_like_the_sign_in(claire, settings):
    """A session left open must not let someone try passwords without limit on « Mon compte »: wrong
    current passwords count as failed sign-ins, and once locked out the right one is refused too."""
    client = client_for(claire)
    attempt = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(f"{ACCOUNT}mot-de-passe/", {**attempt, "current_password": f"essai-{n}"})
    response = client.post(f"{ACCOUNT}mot-de-passe/", {**attempt, "current_password": PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives" in text_of(response)
    assert authenticate(username="claire", password=PASSWORD) == claire
    assert not AuditEvent.objects.filter(action="user.password_changed").exists()
    # The same lock holds on the sign-in page.
    assert Client().post("/connexion/", {"username": "claire", "password": PASSWORD}).status_code == 429
