"""The signed-in person's own account (« Mon compte »: password and API tokens), and the sign-in page's
lockout answer. Every change goes through core.users and core.tokens, like the settings pages."""

from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from comptoir.core import login_throttle, tokens
from comptoir.core import users as accounts
from comptoir.core.errors import DomainError
from comptoir.core.models import ApiToken
from comptoir.web.account_forms import PasswordChangeForm, TokenCreateForm
from comptoir.web.views.common import perform, show_form_error


def _lockout_message() -> str:
    return _(
        "Trop de tentatives de connexion échouées : la connexion est bloquée pendant %(minutes)s minutes "
        "pour ce compte ou depuis cette adresse. Réessayez plus tard, ou demandez à la direction ou à un "
        "administrateur de la débloquer."
    ) % {"minutes": login_throttle.cool_off_minutes()}


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): the sign-in page again,
    429, saying why and what to do, instead of a bare error."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "form": AuthenticationForm(request, initial={"username": username[:150]}),
        "locked_out": _lockout_message(),
        "next": request.POST.get("next", "")[:2000],
    }
    return render(request, "registration/login.html", context, status=429)


def _page(request, *, password_form=None, token_form=None, new_key=None, status=200):
    context = {
        "password_form": password_form or PasswordChangeForm(),
        "token_form": token_form or TokenCreateForm(),
        "tokens": tokens.tokens_of(request.user),
        "new_key": new_key,
    }
    return render(request, "web/account.html", context, status=status)


@login_required
def account(request):
    return _page(request)


@require_POST
@login_required
def account_password(request):
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        # The current password is checked as a sign-in is (django-axes counts a wrong one and refuses
        # any once the account or the address is locked out): an open session is no free guessing field.
        username = request.user.get_username()
        checked = authenticate(request, username=username, password=form.cleaned_data["current_password"])
        if getattr(request, "axes_locked_out", False):
            form.add_error("current_password", _lockout_message())
            return _page(request, password_form=form, status=429)
        if checked is None:
            form.add_error("current_password", _(accounts.WRONG_CURRENT_PASSWORD[1]))
            return _page(request, password_form=form)
        try:
            user = accounts.change_password(
                request.user,
                by=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            # Keep this session signed in; the others (another browser) are signed out by the new hash.
            update_session_auth_hash(request, user)
            messages.success(
                request, _("Mot de passe changé. Vos jetons d'API ont été révoqués : créez-en de nouveaux.")
            )
            return redirect("web:account")
    return _page(request, password_form=form)


@never_cache  # the page shows the new key: no copy of it in any cache
@require_POST
@login_required
def account_token_create(request):
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            created = tokens.create_token(
                request.user, by=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            # Rendered, not redirected: the key is never stored, not even in the session for a message.
            return _page(request, new_key=created)
    return _page(request, token_form=form)


@require_POST
@login_required
def account_token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    perform(
        request,
        lambda: tokens.revoke_token(token, by=request.user),
        _("Jeton %(prefix)s… révoqué : il ne fonctionne plus.") % {"prefix": token.prefix},
    )
    return redirect("web:account")
