"""Tokens through the API: a caller lists their tokens and revokes one; a revoked, expired or orphaned
token answers 401 at once."""

import datetime

import pytest
from django.utils import timezone

from comptoir.api.tests.conftest import ApiClient, error_of, issue_token
from comptoir.core.models import ApiToken, AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.core.users import change_password, deactivate_user


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def token_of(key: str) -> ApiToken:
    return ApiToken.objects.get(key_hash=ApiToken.hash_key(key))


def test_a_caller_lists_their_own_tokens_without_any_secret(boss, admin_user):
    key = issue_token(boss, name="ERP")
    issue_token(admin_user, name="autre")
    response = ApiClient(key).get("/tokens")
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["name"] == "ERP" and item["prefix"] == key[:8] and item["status"] == "active"
    assert {"expires_at", "last_used_at", "created_at", "revoked_at"} <= set(item)
    assert key not in response.content.decode() and token_of(key).key_hash not in response.content.decode()


def test_a_caller_revokes_a_token_and_it_is_refused_from_then_on(boss):
    key, spare = issue_token(boss), issue_token(boss)
    token = token_of(key)

    response = ApiClient(spare).post(f"/tokens/{token.pk}/revoke")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "revoked"
    assert error_of(ApiClient(key).get("/customers")) == (401, "not_authenticated")
    assert ApiClient(spare).get("/customers").status_code == 200
    assert AuditEvent.objects.get(action="api_token.revoked").actor == boss


def test_a_token_may_revoke_itself(boss):
    key = issue_token(boss)
    assert ApiClient(key).post(f"/tokens/{token_of(key).pk}/revoke").status_code == 200
    assert error_of(ApiClient(key).get("/customers")) == (401, "not_authenticated")


def test_someone_elses_token_needs_an_administrator(boss, admin_user):
    victim = issue_token(make_user("nadia", Role.ADV))
    target = token_of(victim).pk
    assert error_of(ApiClient(issue_token(boss)).post(f"/tokens/{target}/revoke")) == (
        403,
        "permission_denied",
    )
    assert ApiClient(victim).get("/customers").status_code == 200
    admin = ApiClient(issue_token(admin_user))
    assert [t["id"] for t in admin.get("/tokens", {"user": token_of(victim).user_id}).json()["items"]] == [
        target
    ]
    assert admin.post(f"/tokens/{target}/revoke").status_code == 200
    assert error_of(ApiClient(victim).get("/customers")) == (401, "not_authenticated")
    assert error_of(ApiClient(issue_token(boss)).get("/tokens", {"user": admin_user.pk})) == (
        403,
        "permission_denied",
    )


def test_revoking_an_unknown_or_revoked_token(boss):
    api = ApiClient(issue_token(boss))
    assert error_of(api.post("/tokens/999999/revoke")) == (404, "not_found")
    other = token_of(issue_token(boss))
    assert api.post(f"/tokens/{other.pk}/revoke").status_code == 200
    assert error_of(api.post(f"/tokens/{other.pk}/revoke")) == (409, "token_already_revoked")


def test_an_expired_token_is_refused(boss):
    key = issue_token(boss)
    now = timezone.now()
    ApiToken.objects.update(
        created_at=now - datetime.timedelta(days=2), expires_at=now - datetime.timedelta(seconds=1)
    )
    assert error_of(ApiClient(key).get("/customers")) == (401, "not_authenticated")


def test_a_token_stops_working_when_its_owner_changes_password(boss):
    key = issue_token(boss)
    assert ApiClient(key).get("/customers").status_code == 200
    change_password(boss, by=boss, current_password="pass-1234", new_password="Nouveau-mot-2026")
    assert error_of(ApiClient(key).get("/customers")) == (401, "not_authenticated")


def test_a_token_stops_working_when_its_owner_is_deactivated(boss, admin_user):
    key = issue_token(boss)
    deactivate_user(boss, by=admin_user)
    assert error_of(ApiClient(key).get("/customers")) == (401, "not_authenticated")
    assert token_of(key).revoked_reason == "user_deactivated"
