"""Signing in is throttled: repeated wrong passwords lock the account (from any address) and the address
(whatever the account) for a cool-off time, with a French message saying so; direction or an
administrator unlocks earlier, and that is audited. API tokens are another credential: a lockout does
not touch them."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from comptoir.api.tests.conftest import ApiClient, issue_token
from comptoir.core import login_throttle
from comptoir.core.errors import Conflict, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.web.tests.clients import client_for, messages_of, text_of

pytestmark = pytest.mark.django_db

LOGIN = "/connexion/"
PASSWORD = "Bienvenue-2026"
LOCKED = "Trop de tentatives de connexion"
LOCKOUTS = "/parametres/connexions/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def claire(db):
    return make_user("claire", Role.COMPTABILITE, password=PASSWORD)


def sign_in(username, password, address="203.0.113.7"):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def test_the_right_password_signs_in(claire):
    assert signed_in(sign_in("claire", PASSWORD))


def test_forty_wrong_passwords_then_the_right_one_is_refused_with_the_lockout_message(claire):
    for _ in range(40):
        assert not signed_in(sign_in("claire", "pas-le-bon"))

    response = sign_in("claire", PASSWORD)

    assert not signed_in(response)
    assert response.status_code == 429
    page = text_of(response)
    assert LOCKED in page and "15 minutes" in page and "débloquer" in page
    assert 'name="password"' in page  # still the sign-in page, not a bare error


def test_the_account_is_locked_from_another_address_too(claire, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("claire", "pas-le-bon", address="198.51.100.1")
    assert LOCKED in text_of(sign_in("claire", PASSWORD, address="192.0.2.50"))
    make_user("karim", Role.LOGISTIQUE, password=PASSWORD)
    # The address is below its own limit (each guess counted once), so another account still signs in.
    assert signed_in(sign_in("karim", PASSWORD, address="192.0.2.50"))


def test_one_address_guessing_many_accounts_is_locked(claire, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(f"inconnu{n}", "123456", address="198.51.100.9")
    assert LOCKED in text_of(sign_in("claire", PASSWORD, address="198.51.100.9"))
    assert signed_in(sign_in("claire", PASSWORD, address="192.0.2.50"))


def test_a_few_mistakes_then_the_right_password_sign_in_and_start_the_count_again(claire, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in("claire", "pas-le-bon")
    assert signed_in(sign_in("claire", PASSWORD))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in("claire", "pas-le-bon")
    assert signed_in(sign_in("claire", PASSWORD))


def test_an_admin_unlocks_the_account_from_its_page_and_the_user_signs_in(claire, admin_user, settings):
    for _ in range(40):
        sign_in("claire", "pas-le-bon")
    admin = client_for(admin_user)
    page = text_of(admin.get(f"/parametres/utilisateurs/{claire.pk}/"))
    assert "Connexion bloquée" in page

    response = admin.post(f"{LOCKOUTS}debloquer/", {"username": "claire"}, follow=True)

    assert any("débloqué" in m for m in messages_of(response))
    assert signed_in(sign_in("claire", PASSWORD))
    event = AuditEvent.objects.get(action="login.unlocked")
    assert (event.actor, event.object_type, event.object_id) == (admin_user, "auth.user", str(claire.pk))
    assert event.data["username"] == "claire" and event.data["failures"] == settings.AXES_FAILURE_LIMIT


def test_direction_sees_the_lockouts_and_unlocks_an_address(claire, boss):
    for n in range(12):
        sign_in(f"inconnu{n}", "123456", address="198.51.100.9")
    client = client_for(boss)
    page = text_of(client.get(LOCKOUTS))
    assert "198.51.100.9" in page and "Débloquer" in page
    assert f'href="{LOCKOUTS}"' in text_of(client.get("/parametres/"))

    client.post(f"{LOCKOUTS}debloquer/", {"ip_address": "198.51.100.9"})

    assert signed_in(sign_in("claire", PASSWORD, address="198.51.100.9"))
    event = AuditEvent.objects.get(action="login.unlocked")
    assert (event.actor, event.object_type, event.object_id) == (boss, "login.address", "198.51.100.9")


@pytest.mark.parametrize("role", [Role.COMMERCIAL, Role.COMPTABILITE])
def test_other_roles_may_not_unlock(claire, role):
    for _ in range(12):
        sign_in("claire", "pas-le-bon")
    client = client_for(make_user(f"u-{role}", role))
    assert client.get(LOCKOUTS).status_code == 403
    assert client.post(f"{LOCKOUTS}debloquer/", {"username": "claire"}).status_code == 403
    with pytest.raises(PermissionDenied):
        login_throttle.unlock(username="claire", by=make_user("x", role))
    assert LOCKED in text_of(sign_in("claire", PASSWORD))
    assert not AuditEvent.objects.filter(action="login.unlocked").exists()


def test_unlocking_what_is_not_locked_is_refused(claire, boss):
    with pytest.raises(Conflict) as refused:
        login_throttle.unlock(username="claire", by=boss)
    assert refused.value.code == "login_not_locked"


def test_the_command_line_lists_and_unlocks(claire, settings):
    for _ in range(12):
        sign_in("claire", "pas-le-bon")
    out = io.StringIO()
    call_command("unlock_login", "--list", stdout=out)
    assert "claire" in out.getvalue()

    call_command("unlock_login", "claire", stdout=io.StringIO())

    assert signed_in(sign_in("claire", PASSWORD))
    event = AuditEvent.objects.get(action="login.unlocked")
    assert event.actor_name == "système" and event.data["failures"] == settings.AXES_FAILURE_LIMIT
    with pytest.raises(CommandError, match="Aucune tentative"):
        call_command("unlock_login", "claire", stdout=io.StringIO())


def test_a_locked_out_account_keeps_its_api_tokens(claire):
    token = issue_token(claire)
    for _ in range(12):
        sign_in("claire", "pas-le-bon")
    assert ApiClient(token).get("/customers").status_code == 200


def test_behind_a_reverse_proxy_the_clients_address_is_locked_not_the_proxys(claire, settings):
    settings.COMPTOIR_PROXY_COUNT = 1

    def via_proxy(client_address, username, password):
        client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"{client_address}")
        return client.post(LOGIN, {"username": username, "password": password})

    for n in range(settings.AXES_FAILURE_LIMIT):
        via_proxy("198.51.100.9", f"inconnu{n}", "123456")

    assert LOCKED in text_of(via_proxy("198.51.100.9", "claire", PASSWORD))
    assert signed_in(via_proxy("192.0.2.50", "claire", PASSWORD))
    # A forged X-Forwarded-For does not hide the address the proxy saw.
    assert LOCKED in text_of(via_proxy("1.2.3.4, 198.51.100.9", "claire", PASSWORD))
