"""The signed-in person's own account (« Mon compte »), and the sign-in page's lockout answer."""

from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext as _

from comptoir.core import login_throttle


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): the sign-in page again,
    429, saying why and what to do, instead of a bare error."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    message = _(
        "Trop de tentatives de connexion échouées : la connexion est bloquée pendant %(minutes)s minutes "
        "pour ce compte ou depuis cette adresse. Réessayez plus tard, ou demandez à la direction ou à un "
        "administrateur de la débloquer."
    ) % {"minutes": login_throttle.cool_off_minutes()}
    context = {
        "form": AuthenticationForm(request, initial={"username": username[:150]}),
        "locked_out": message,
        "next": request.POST.get("next", "")[:2000],
    }
    return render(request, "registration/login.html", context, status=429)
