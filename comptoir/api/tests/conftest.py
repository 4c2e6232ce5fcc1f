"""An HTTP client for the API, authenticated with a real bearer token of a user with given roles."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.core.models import ApiToken
from comptoir.core.testing import make_user

BASE = "/api/v1"


def issue_token(user, name: str = "tests") -> str:
    """A working token, written directly (no audit event, so tests that count events are not disturbed)."""
    key = ApiToken.new_key()
    ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=ApiToken.hash_key(key),
        prefix=key[:8],
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    return key


class ApiClient:
    """Real HTTP requests through Django's test client; paths are relative to /api/v1."""

    def __init__(self, token: str | None = None, client: Client | None = None):
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, params: dict | None = None, *, headers: dict | None = None):
        return self.client.get(BASE + path, params or {}, headers=self.headers | (headers or {}))

    def post(self, path: str, data=None, *, raw: str | bytes | None = None, headers: dict | None = None):
        body = raw if raw is not None else ("" if data is None else json.dumps(data))
        return self.client.post(
            BASE + path, body, content_type="application/json", headers=self.headers | (headers or {})
        )

    def patch(self, path: str, data=None, *, raw: str | bytes | None = None, headers: dict | None = None):
        body = raw if raw is not None else json.dumps(data)
        return self.client.patch(
            BASE + path, body, content_type="application/json", headers=self.headers | (headers or {})
        )


@pytest.fixture
def api(boss):
    """The API as a direction user (every business action)."""
    return ApiClient(issue_token(boss))


@pytest.fixture
def api_as(db):
    """`api_as("logistique")`: the API as a new user with these roles."""

    def build(*roles: str, username: str | None = None) -> ApiClient:
        return ApiClient(issue_token(make_user(username or "_".join(roles) or "sans_role", *roles)))

    return build


def error_of(response) -> tuple[int, str]:
    body = response.json()
    assert set(body) >= {"code", "message"}, body
    assert body["message"], body
    return response.status_code, body["code"]
