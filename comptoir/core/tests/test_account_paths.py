"""Users, roles and passwords change only through Comptoir's own audited services: no Django admin, no
Django command that writes an account behind the audit trail's back."""

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import get_resolver
from django.urls.resolvers import URLResolver

from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role, roles_of
from comptoir.core.testing import make_user

PASSWORD = "Un-mot-de-passe-2026"

# Views served by other code than Comptoir's, each for a reason: signing in and out (Django's own views,
# which change no account), the language switch, and the API framework's endpoints and schema (each
# endpoint calls Comptoir's services).
FOREIGN_VIEWS = {"django.contrib.auth.views", "django.views.i18n", "ninja.operation", "functools"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _views(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern, prefix + str(pattern.pattern))
        else:
            callback = pattern.callback
            yield (
                prefix + str(pattern.pattern),
                getattr(callback, "__module__", None) or type(callback).__module__,
            )


def test_every_url_is_served_by_comptoir_code_or_a_known_read_only_view():
    foreign = {
        path: module
        for path, module in _views(get_resolver())
        if not module.startswith("comptoir.") and module not in FOREIGN_VIEWS
    }
    assert foreign == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/auth/user/", "/admin/auth/user/1/change/", "/admin/auth/group/"]
)
def test_the_django_admin_is_not_served_even_to_a_superuser(url):
    root = get_user_model().objects.create_superuser("root", "root@example.fr", PASSWORD)
    client = Client()
    client.force_login(root)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_promoting_a_user_to_admin_through_the_settings_page_is_audited(admin_user):
    user = make_user("nadia", Role.ADV)
    client = Client()
    client.force_login(admin_user)
    response = client.post(f"/parametres/utilisateurs/{user.pk}/", {"roles": [Role.ADV, Role.ADMIN]})
    assert response.status_code == 302
    assert Role.ADMIN in roles_of(get_user_model().objects.get(pk=user.pk))
    event = AuditEvent.objects.get(action="user.roles_changed", object_id=str(user.pk))
    assert (event.actor, event.data) == (admin_user, {"before": [Role.ADV], "after": [Role.ADV, Role.ADMIN]})


@pytest.mark.django_db
def test_createsuperuser_is_refused_in_favour_of_the_audited_create_user():
    with pytest.raises(CommandError, match="create-user") as refused:
        call_command(
            "createsuperuser",
            "--noinput",
            "--username",
            "root",
            "--email",
            "root@example.fr",
            stdout=io.StringIO(),
        )
    assert refused.value.returncode == 2
    assert not get_user_model().objects.filter(username="root").exists()


@pytest.mark.django_db
def test_changepassword_goes_through_the_audited_service():
    user = make_user("claire", Role.COMPTABILITE, password=PASSWORD)
    call_command("changepassword", "claire", "--password", "Nouveau-mot-2026", stdout=io.StringIO())
    assert authenticate(username="claire", password="Nouveau-mot-2026") == user
    event = AuditEvent.objects.get(action="user.password_changed")
    assert (event.actor, event.actor_name, event.object_id) == (None, "système", str(user.pk))
    assert "Nouveau-mot-2026" not in str(event.data)
