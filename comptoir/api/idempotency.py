"""`Idempotency-Key` on every POST of the API: the same request sent again (a double click, a retry after
an answer lost in a crash) gets the first answer again, and never creates a second document.

`install(api)` puts two decorators on every operation (Ninja's `add_decorator`); both let a request
without the header through untouched:

- around the operation (before authentication): checks the header, and once the endpoint has answered,
  keeps a successful answer (2xx) with the key and commits, or rolls everything back;
- around the endpoint function (after authentication and input validation): opens the transaction and
  claims the key (`core.idempotency.claim`) before the endpoint runs, or gives the first answer again.

So the key row, the business action and the answer kept are one transaction, and authentication or an
invalid body never hold it. A refused request keeps nothing: its key may be sent again with the request
corrected. Keys belong to their user and are kept 24 hours (`core/idempotency.py`).
"""

import hashlib
from functools import wraps

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from ninja import NinjaAPI

from comptoir.api.errors import error_body
from comptoir.core import idempotency

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"

INVALID_KEY = (
    "invalid_idempotency_key",
    N_(
        "En-tête Idempotency-Key invalide : de 1 à 255 caractères ASCII imprimables, sans espace au début "
        "ni à la fin (un UUID, par exemple)."
    ),
)

DESCRIPTION = (
    "Clé choisie par le client (un UUID, par exemple) : la même requête renvoyée avec la même clé reçoit "
    "la première réponse (même code, même corps, en-tête `Idempotent-Replayed: true`) et ne crée rien de "
    "plus, même envoyée pendant que la première s'exécute. La même clé avec une autre requête : 409 "
    "`idempotency_key_reused`. Une réponse d'erreur n'est pas conservée. Clés propres à chaque "
    "utilisateur, conservées 24 heures."
)


class _Pending:
    """A keyed request in flight: its key, its fingerprint, and the transaction once it is open."""

    __slots__ = ("key", "fingerprint", "atomic", "claimed")

    def __init__(self, key: str, fingerprint: str):
        self.key, self.fingerprint = key, fingerprint
        self.atomic = None
        self.claimed = False

    def begin(self) -> None:
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def end(self, request, response) -> None:
        """Keep a successful answer with the key and commit; otherwise roll back (the request failed, or
        it gave the first answer again). Raises what the commit raises, after closing the transaction."""
        if self.atomic is None:
            return
        try:
            if self.claimed and 200 <= response.status_code < 300:
                idempotency.remember(request.auth, self.key, response.status_code, response.content.decode())
            else:
                transaction.set_rollback(True)
        except BaseException as exc:
            self.abort(exc)
            raise
        self.atomic.__exit__(None, None, None)

    def abort(self, exc: BaseException) -> None:
        if self.atomic is not None:
            self.atomic.__exit__(type(exc), exc, exc.__traceback__)


def _body(request) -> bytes:
    """What the request says, for its fingerprint. A multipart body is read as its fields and its files'
    names and SHA-256 (each client draws its own boundary); the files stay readable for the endpoint."""
    if request.content_type != "multipart/form-data":
        return request.body
    parts = [f"{name}={value}" for name, values in sorted(request.POST.lists()) for value in values]
    for name, files in sorted(request.FILES.lists()):
        for upload in files:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            parts.append(f"{name}@{upload.name}:{digest.hexdigest()}")
    return "\n".join(parts).encode()


def install(api: NinjaAPI) -> None:
    def media_type() -> str:
        return f"{api.renderer.media_type}; charset={api.renderer.charset}"

    def around_operation(run):
        @wraps(run)
        def answered_once(request, *args, **kwargs):
            key = request.headers.get(HEADER) if request.method == "POST" else None
            if key is None:
                return run(request, *args, **kwargs)
            if not idempotency.valid_key(key):
                code, message = INVALID_KEY
                return api.create_response(request, error_body(code, _(message)), status=400)
            try:
                fingerprint = idempotency.fingerprint(
                    request.method, request.get_full_path(), _body(request), request.content_type or ""
                )
            except Exception as exc:  # an unreadable body, as the endpoint would have met it
                return api.on_exception(request, exc)
            pending = request._idempotency = _Pending(key, fingerprint)
            try:
                response = run(request, *args, **kwargs)
            except BaseException as exc:
                pending.abort(exc)
                raise
            try:
                pending.end(request, response)
            except Exception as exc:  # the commit itself failed: answered in the API's error shape
                return api.on_exception(request, exc)
            return response

        return answered_once

    def around_endpoint(view):
        @wraps(view)
        def claimed_first(request, *args, **kwargs):
            pending = getattr(request, "_idempotency", None)
            if pending is None:
                return view(request, *args, **kwargs)
            pending.begin()
            first = idempotency.claim(request.auth, pending.key, pending.fingerprint)
            if first is not None:
                replay = HttpResponse(first.body, status=first.status, content_type=media_type())
                replay[REPLAYED] = "true"
                return replay
            pending.claimed = True
            return view(request, *args, **kwargs)

        return claimed_first

    # Ninja's names: "view" wraps the whole operation (Operation.run), "operation" the endpoint function.
    api.add_decorator(around_operation, mode="view")
    api.add_decorator(around_endpoint, mode="operation")


def document(schema: dict) -> dict:
    """The header, described on every POST operation of the OpenAPI schema."""
    parameter = {
        "in": "header",
        "name": HEADER,
        "required": False,
        "description": DESCRIPTION,
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": idempotency.MAX_KEY_LENGTH,
            "pattern": "^[!-~]([ -~]*[!-~])?$",
        },
    }
    for path in schema.get("paths", {}).values():
        operation = path.get("post")
        if operation is not None:
            operation.setdefault("parameters", []).append(dict(parameter))
    return schema
