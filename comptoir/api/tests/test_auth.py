"""Who may call the API: bearer tokens for programs, the session (with CSRF) for the browser."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from comptoir.api.tests.conftest import ApiClient, error_of, issue_token
from comptoir.core.models import ApiToken, AuditEvent
from comptoir.parties.models import Customer


def test_request_without_token_is_refused_with_401_not_authenticated(db):
    response = ApiClient().get("/customers")
    assert error_of(response) == (401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cpt_not-a-real-token",
        "Bearer ",
        "Token abc",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 5000,
        "cpt_x",
    ],
)
def test_invalid_or_malformed_token_is_refused_with_401(boss, header):
    response = ApiClient().get("/customers", headers={"Authorization": header})
    assert error_of(response) == (401, "not_authenticated")


def test_unsafe_request_with_invalid_token_is_401_not_a_csrf_error(db):
    response = ApiClient("cpt_wrong").post("/customers", {"name": "X"})
    assert error_of(response) == (401, "not_authenticated")
    assert not Customer.objects.exists()


def test_valid_token_gives_access(boss):
    response = ApiClient(issue_token(boss)).get("/customers")
    assert response.status_code == 200
    assert response.json() == {"count": 0, "limit": 50, "offset": 0, "items": []}


def test_token_of_a_deactivated_user_is_refused(boss):
    token = issue_token(boss)
    boss.is_active = False
    boss.save()
    assert error_of(ApiClient(token).get("/customers")) == (401, "not_authenticated")


def test_token_use_is_recorded_at_most_once_a_minute(boss):
    key = issue_token(boss)
    client = ApiClient(key)
    client.get("/customers")
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(key))
    first_use = token.last_used_at
    assert first_use is not None

    client.get("/customers")
    token.refresh_from_db()
    assert token.last_used_at == first_use

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - datetime.timedelta(minutes=2))
    client.get("/customers")
    token.refresh_from_db()
    assert token.last_used_at > first_use - datetime.timedelta(seconds=1)
    assert timezone.now() - token.last_used_at < datetime.timedelta(minutes=1)


def test_the_api_acts_as_the_token_owner(boss):
    ApiClient(issue_token(boss)).post("/customers", {"name": "Scierie Blanc"})
    event = AuditEvent.objects.get(action="customer.created")
    assert (event.actor_id, event.actor_name) == (boss.pk, boss.username)


def test_browser_session_is_accepted_for_reads(boss):
    client = Client()
    client.force_login(boss)
    assert ApiClient(client=client).get("/customers").status_code == 200


def test_browser_session_needs_the_csrf_token_for_writes(boss):
    client = Client(enforce_csrf_checks=True)
    client.force_login(boss)
    api = ApiClient(client=client)

    response = api.post("/customers", {"name": "Scierie Blanc"})
    assert error_of(response) == (403, "csrf_failed")
    assert not Customer.objects.exists()

    secret = "k" * 32  # the cookie holds the secret; the header must repeat it (masked or not)
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    response = api.post("/customers", {"name": "Scierie Blanc"}, headers={"X-CSRFToken": secret})
    assert response.status_code == 201, response.json()


def test_openapi_document_and_docs_are_public(db):
    assert Client().get("/api/v1/openapi.json").status_code == 200
    assert Client().get("/api/v1/docs").status_code == 200
