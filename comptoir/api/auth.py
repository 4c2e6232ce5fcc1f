"""Who is calling: a bearer token (machines) or the Django session (the browser).

A token is checked by `core.tokens.user_for_key` (SHA-256 lookup; refused once expired or revoked, or
if its user is deactivated). The user the token belongs to becomes `request.auth` (and
`request.user`), and every service receives it as `by`: the API never decides who may do what, the
services do.
"""

from django.conf import settings
from django.utils.translation import gettext_noop as N_
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from comptoir.core import tokens
from comptoir.core.errors import PermissionDenied


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cpt_…`"""

    def authenticate(self, request, token: str):
        user = tokens.user_for_key(token)
        if user is None:
            return None
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; unsafe methods need the CSRF token, as everywhere in Django.

    Unlike Ninja's `django_auth`, the CSRF check runs only when a session user is present: a request
    with a wrong bearer token and no session is answered 401, not 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise PermissionDenied(
                "csrf_failed",
                N_("Jeton CSRF manquant ou invalide : envoyez l'en-tête X-CSRFToken avec la session."),
            )
        return user

    def _get_key(self, request):  # pragma: no cover - __call__ does not read the cookie itself
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):  # pragma: no cover - see __call__
        return request.user if request.user.is_authenticated else None


token_auth = TokenAuth()
session_auth = SessionAuth()
