"""The `comptoir` command and its management commands: create-user, create-token, verify-audit."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connections

from comptoir.cli import main, translate_argv
from comptoir.core.models import ApiToken, AuditEvent
from comptoir.core.permissions import Role, has_perm
from comptoir.core.testing import make_company, tamper


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def comptoir(monkeypatch, capsys):
    """Run `comptoir …` in-process; returns (exit code, stdout, stderr)."""
    # Django closes every connection after a command run from argv; inside a test that would drop the
    # test transaction (on PostgreSQL), so the close is skipped here.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args):
        try:
            main(["comptoir", *args])
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_hyphenated_command_names_become_management_commands():
    assert translate_argv(["comptoir", "seed-demo", "--months", "2"]) == [
        "comptoir",
        "seed_demo",
        "--months",
        "2",
    ]
    assert translate_argv(["comptoir", "help", "verify-audit"]) == ["comptoir", "help", "verify_audit"]
    assert translate_argv(["comptoir", "runserver", "127.0.0.1:8001"]) == [
        "comptoir",
        "runserver",
        "127.0.0.1:8001",
    ]
    assert translate_argv(["comptoir", "--version"]) == ["comptoir", "--version"]


def test_the_command_lists_its_own_commands(comptoir):
    code, out, _ = comptoir("help", "create-token")

    assert code == 0
    assert "usage: comptoir create_token" in out


def test_the_command_works_from_any_directory_and_finds_the_project_database(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR)}
    env.pop("DATABASE_URL", None)
    script = (
        "from django.conf import settings; from comptoir.cli import main; "
        "main(['comptoir', 'help']); print(settings.DATABASES['default']['NAME'])"
    )

    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    assert "seed_demo" in done.stdout and "verify_audit" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == str(settings.BASE_DIR / "var" / "comptoir.sqlite3")


# --- create-user --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_user_gives_the_roles_asked_for(comptoir):
    code, out, _ = comptoir(
        "create-user",
        "marie",
        "--role",
        "adv",
        "--role",
        "comptabilite",
        "--password",
        "secret-123",
        "--email",
        "marie@example.fr",
    )

    assert code == 0 and "marie" in out
    user = authenticate(username="marie", password="secret-123")
    assert user is not None and user.email == "marie@example.fr"
    assert {g.name for g in user.groups.all()} == {Role.ADV, Role.COMPTABILITE}
    assert has_perm(user, "invoice.issue") and not has_perm(user, "company.manage")
    assert AuditEvent.objects.filter(action="user.created", object_repr="marie").exists()


@pytest.mark.django_db
def test_create_user_superuser_is_admin():
    call_command("create_user", "root", "--superuser", "--password", "secret-123")

    user = authenticate(username="root", password="secret-123")
    assert user.is_superuser and user.is_staff and has_perm(user, "user.manage")


@pytest.mark.django_db
def test_create_user_refuses_an_unknown_role_with_exit_code_2(comptoir, django_user_model):
    code, _, err = comptoir("create-user", "paul", "--role", "stagiaire", "--password", "secret-123")

    assert code == 2
    assert "Rôle inconnu : stagiaire" in err and "commercial" in err
    assert not django_user_model.objects.filter(username="paul").exists()


@pytest.mark.django_db
def test_create_user_without_password_needs_a_terminal(monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)

    with pytest.raises(CommandError, match="Mot de passe requis") as refused:
        call_command("create_user", "paul", "--role", "adv")

    assert refused.value.returncode == 2


@pytest.mark.django_db
def test_create_user_refuses_a_short_password_and_a_taken_name():
    with pytest.raises(CommandError, match="trop court|too short"):
        call_command("create_user", "paul", "--role", "adv", "--password", "abc")

    call_command("create_user", "paul", "--role", "adv", "--password", "secret-123")
    with pytest.raises(CommandError, match="existe déjà"):
        call_command("create_user", "paul", "--role", "adv", "--password", "secret-123")


# --- create-token -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_token_prints_a_token_that_authenticates(comptoir, boss):
    code, out, err = comptoir("create-token", "direction", "--name", "Export comptable")

    assert code == 0
    key = out.strip()
    assert key.startswith("cpt_") and "Conservez-le" in err
    token = ApiToken.objects.select_related("user").get(key_hash=ApiToken.hash_key(key))
    assert token.user == boss and token.name == "Export comptable" and token.prefix == key[:8]
    # Only the hash is kept.
    assert not ApiToken.objects.filter(key_hash=key).exists()
    event = AuditEvent.objects.get(action="api_token.created")
    # Created by whoever runs the server's command line, for the user named.
    assert (event.actor_name, event.object_id, event.data["user"]) == ("système", str(token.pk), "direction")


@pytest.mark.django_db
def test_create_token_lifetime_is_chosen_in_days(comptoir, boss, settings):
    code, out, err = comptoir("create-token", "direction", "--days", "7")
    assert code == 0
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(out.strip()))
    assert (token.expires_at - token.created_at).days == 7
    assert token.expires_at.astimezone().strftime("%d/%m/%Y") in err

    code, _, err = comptoir("create-token", "direction", "--days", str(settings.API_TOKEN_MAX_DAYS + 1))
    assert code == 2 and "durée" in err
    assert ApiToken.objects.count() == 1


# --- revoke-token, list-tokens ------------------------------------------------------------------


@pytest.mark.django_db
def test_revoke_token_by_id_by_key_or_every_token_of_a_user(comptoir, boss, admin_user):
    from comptoir.core.tokens import create_token, user_for_key

    first, second, third = (create_token(boss, by=None) for _ in range(3))
    other = create_token(admin_user, by=None)

    assert comptoir("revoke-token", str(first.token.pk))[0] == 0
    assert comptoir("revoke-token", second.key)[0] == 0
    assert user_for_key(first.key) is None and user_for_key(second.key) is None
    assert user_for_key(third.key) == boss

    code, out, _ = comptoir("revoke-token", "--user", "direction")
    assert code == 0 and "1 jeton" in out
    assert user_for_key(third.key) is None and user_for_key(other.key) == admin_user
    events = AuditEvent.objects.filter(action="api_token.revoked")
    assert events.count() == 3 and {e.actor_name for e in events} == {"système"}

    code, _, err = comptoir("revoke-token", str(first.token.pk))
    assert code == 1 and "déjà révoqué" in err
    code, _, err = comptoir("revoke-token", "cpt_inconnu")
    assert code == 2 and "Aucun jeton" in err


@pytest.mark.django_db
def test_list_tokens_shows_status_expiry_and_last_use_never_the_key(comptoir, boss):
    from comptoir.core.tokens import create_token, revoke_token

    kept = create_token(boss, by=None, name="ERP")
    revoke_token(create_token(boss, by=None, name="Ancien").token, by=None)

    code, out, _ = comptoir("list-tokens", "direction")

    assert code == 0
    assert kept.token.prefix in out and "ERP" in out and "actif" in out and "révoqué" in out
    assert kept.key not in out


@pytest.mark.django_db
def test_create_token_for_an_unknown_user_fails(comptoir):
    code, _, err = comptoir("create-token", "personne")

    assert code == 2 and "Utilisateur inconnu" in err


# --- verify-audit -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_audit_accepts_an_intact_chain(comptoir, admin_user):
    make_company(admin_user)
    call_command("create_token", "admin", stdout=io.StringIO(), stderr=io.StringIO())

    code, out, _ = comptoir("verify-audit")

    assert code == 0
    # The company, its two fiscal years opened, the token.
    assert out.splitlines()[0] == (
        "Journal d'audit intègre : 4 événements vérifiés, 0 points de contrôle, documents concordants."
    )


@pytest.mark.django_db
def test_verify_audit_fails_after_an_event_is_changed_behind_the_applications_back(comptoir, admin_user):
    make_company(admin_user)
    call_command("create_token", "admin", stdout=io.StringIO(), stderr=io.StringIO())
    tampered = AuditEvent.objects.get(seq=1)

    # The database refuses the UPDATE; someone with the rights to switch its guards off does not.
    tamper("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["Société fantôme", tampered.pk])
    code, out, err = comptoir("verify-audit")

    assert code == 1
    assert "événement n° 1" in err and "contenu modifié" in err
    assert out == ""
