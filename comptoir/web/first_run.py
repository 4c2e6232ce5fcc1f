"""The first-run gate: while the database holds no company, every page leads to the first-run screen
(/premiers-pas/), and the API answers 409 `company_not_set_up` — nothing can be quoted or invoiced
without a seller, and a new user should not meet empty pages that fail one after the other.

Let through: the first-run screen itself, signing in and out, the language switch, static files, the
API's description and the probes (/healthz, /readyz are answered before this, by web.health). Once a company exists it is never
deleted, so a process that has seen one stops asking the database (one query per request until then).
`FIRST_RUN_REDIRECT = False` (settings) turns the gate off: the test suite does, its pages are tested
with or without a company; the first run's own tests turn it back on.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect

from comptoir.core.errors import DomainError
from comptoir.onboarding import errors, services

OPEN_PREFIXES = (
    "/premiers-pas/",
    "/connexion/",
    "/deconnexion/",
    "/i18n/",
    "/healthz",
    "/readyz",
    # The API's description, for an integrator who reads it before the company exists.
    "/api/v1/openapi.json",
    "/api/v1/docs",
)

_seen = False


def company_exists() -> bool:
    global _seen
    if not _seen:
        _seen = services.is_set_up()
    return _seen


def forget() -> None:
    """Ask the database again (tests that start from an empty database)."""
    global _seen
    _seen = False


def _open(path: str) -> bool:
    return path.startswith(OPEN_PREFIXES) or path.startswith(f"/{settings.STATIC_URL}".replace("//", "/"))


class FirstRunMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not settings.FIRST_RUN_REDIRECT or _open(path) or company_exists():
            return self.get_response(request)
        if path.startswith("/api/"):
            refusal = DomainError(*errors.NOT_SET_UP)
            return JsonResponse(refusal.as_dict(), status=409)
        return redirect("web:first_run")
