"""One submit, one document: the one-time token of the forms that create documents.

Each such form carries a token drawn when the page is rendered (`{% submission_token %}`, in
`templatetags/comptoir_ui.py`), and its view is wrapped by `@submitted_once`. The token is claimed as an
idempotency key of the user (`core.idempotency`) in the same transaction as the service the view calls:

- the first submit creates the document and keeps the page it leads to (its redirect) with the token;
- a second submit of the same token (a double click, the browser sending the form again after a lost
  answer) waits for the first to finish, then lands on that same page, with no second document;
- a form shown again with an error keeps nothing (the transaction is rolled back): its token, and the
  new one the page shows, can be sent again.

A post without a token (an older page, a script) is handled as before, without this protection.
"""

import re
import secrets
from functools import wraps

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from comptoir.core import idempotency
from comptoir.core.errors import DomainError

FIELD = "submission_token"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_token() -> str:
    return secrets.token_urlsafe(18)


def submitted_once(view):
    """Carry out the view's POST once per form token (see the module)."""

    @wraps(view)
    def once(request, *args, **kwargs):
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not _TOKEN.fullmatch(token):
            return view(request, *args, **kwargs)
        key = f"form:{token}"
        with transaction.atomic():
            try:
                first = idempotency.claim(request.user, key, idempotency.fingerprint("POST", request.path))
            except DomainError as exc:  # a token of another form: only a forged post gets here
                return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
            if first is not None:
                messages.info(
                    request,
                    _("Ce formulaire avait déjà été envoyé : rien n'a été enregistré une seconde fois."),
                )
                return redirect(first.body)
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseRedirectBase):
                idempotency.remember(request.user, key, response.status_code, response["Location"])
            else:
                transaction.set_rollback(True)
        return response

    return once
