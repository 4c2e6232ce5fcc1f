"""Every API error is `{"code": ..., "message": ...}`: a stable code for programs, a French sentence for people.

Business refusals come from the services as DomainError (status 400/403/404/409); this module adds the
errors of the HTTP layer itself (authentication, unreadable JSON, invalid fields, unknown ids) and a
last safety net, so that no input ever surfaces as a bare 500 page.
"""

import logging
from decimal import InvalidOperation

from django.core.exceptions import (
    ObjectDoesNotExist,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import DataError, IntegrityError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from comptoir.api.schemas import COMBINATION_RULE
from comptoir.core.errors import DomainError
from comptoir.request_size import TOO_LARGE, too_large_message

logger = logging.getLogger("comptoir.api")

NOT_AUTHENTICATED = (
    "not_authenticated",
    N_(
        "Authentification requise : envoyez l'en-tête « Authorization: Bearer <jeton> » avec un jeton valide."
    ),
)
NOT_FOUND = ("not_found", N_("Cet objet n'existe pas (ou plus)."))
INVALID_JSON = ("invalid_json", N_("Le corps de la requête n'est pas un document JSON valide."))
VALIDATION = ("validation_error", N_("Données invalides : %(summary)s"))
COMBINATION = (COMBINATION_RULE, N_("Données incohérentes : %(summary)s"))
OUT_OF_RANGE = (
    "value_out_of_range",
    N_(
        "Une valeur ne peut pas être enregistrée (nombre ou date hors limites) : vérifiez les montants, quantités et dates."
    ),
)
CONFLICT = (
    "conflict",
    N_("L'opération contredit une règle d'intégrité des données : rechargez et réessayez."),
)
SERVER_ERROR = (
    "server_error",
    N_("Erreur interne : l'opération n'a pas été enregistrée. Réessayez ou contactez le support."),
)
UNSUPPORTED_MEDIA_TYPE = (
    "unsupported_media_type",
    N_(
        "Le corps de la requête doit être envoyé en JSON, avec l'en-tête « Content-Type: application/json » "
        "(reçu : « %(content_type)s »)."
    ),
)
INVALID_MULTIPART = (
    "invalid_multipart",
    N_(
        "Le corps multipart/form-data est illisible (séparateur « boundary » absent ou corps tronqué) : "
        "laissez votre bibliothèque HTTP construire la requête."
    ),
)
CSRF_FAILED = (
    "csrf_failed",
    N_("Jeton CSRF manquant ou invalide : envoyez l'en-tête X-CSRFToken avec la session."),
)

# French wording of pydantic's error types (the `type` of each detail stays the stable code).
_FIELD_MESSAGES = {
    "missing": N_("champ obligatoire"),
    "extra_forbidden": N_("champ inconnu"),
    "int_type": N_("nombre entier attendu"),
    "int_parsing": N_("nombre entier attendu"),
    "int_from_float": N_("nombre entier attendu"),
    "bool_type": N_("booléen attendu (true ou false)"),
    "bool_parsing": N_("booléen attendu (true ou false)"),
    "string_type": N_("texte attendu"),
    "string_too_long": N_("texte trop long (%(max_length)s caractères au plus)"),
    "string_too_short": N_("texte trop court (%(min_length)s caractères au moins)"),
    "string_pattern_mismatch": N_("format non reconnu"),
    "greater_than_equal": N_("doit être supérieur ou égal à %(ge)s"),
    "greater_than": N_("doit être supérieur à %(gt)s"),
    "less_than_equal": N_("doit être inférieur ou égal à %(le)s"),
    "less_than": N_("doit être inférieur à %(lt)s"),
    "date_type": N_("date attendue au format AAAA-MM-JJ"),
    "date_parsing": N_("date attendue au format AAAA-MM-JJ"),
    "date_from_datetime_parsing": N_("date attendue au format AAAA-MM-JJ"),
    "date_from_datetime_inexact": N_("date attendue au format AAAA-MM-JJ"),
    "literal_error": N_("valeur non autorisée (valeurs possibles : %(expected)s)"),
    "enum": N_("valeur non autorisée (valeurs possibles : %(expected)s)"),
    "list_type": N_("liste attendue"),
    "dict_type": N_("objet attendu"),
    "model_type": N_("objet attendu"),
    "model_attributes_type": N_("objet attendu"),
    "too_long": N_("trop d'éléments (%(max_length)s au plus)"),
    "too_short": N_("pas assez d'éléments (%(min_length)s au moins)"),
}


def error_body(code: str, message: str, **extra) -> dict:
    return {"code": code, "message": message, **extra}


def _field_name(loc) -> str:
    # Ninja prefixes the location with the source and the parameter name ("body", "payload", …).
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        source, parts = parts[0], parts[1:]
        if source == "body":
            parts = parts[1:]
    return ".".join(parts)


def _field_message(error: dict) -> str:
    kind = error.get("type", "")
    if kind in ("value_error", COMBINATION_RULE):
        # Our validators already speak French; pydantic prefixes "Value error, ".
        return str(error.get("msg", "")).removeprefix("Value error, ")
    template = _FIELD_MESSAGES.get(kind)
    if template is None:
        return _("valeur invalide")
    context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        return _(template) % context if "%(" in template else _(template)
    except (KeyError, ValueError, TypeError):
        return _("valeur invalide")


def unsupported_media_type(content_type: str) -> DomainError:
    code, message = UNSUPPORTED_MEDIA_TYPE
    return DomainError(code, message, http_status=415, content_type=content_type[:100])


def validation_details(errors: list[dict]) -> list[dict]:
    return [
        {
            "field": _field_name(error.get("loc", ())),
            "location": str(error.get("loc", ("body",))[0]),
            "type": str(error.get("type", "")),
            "message": _field_message(error),
        }
        for error in errors
    ]


def install(api: NinjaAPI) -> None:
    """Register the handlers that shape every error of `api`."""

    def respond(request, status: int, code: str, message: str, **extra):
        response = api.create_response(request, error_body(code, message, **extra), status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="comptoir"'
        return response

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return respond(request, exc.status, exc.code, exc.message)

    @api.exception_handler(ValidationError)
    def invalid_input(request, exc: ValidationError):
        details = validation_details(exc.errors)
        summary = " ; ".join(
            f"{d['field']} : {d['message']}" if d["field"] else d["message"] for d in details[:5]
        )
        if all(error.get("type") == COMBINATION_RULE for error in exc.errors):
            # Each field follows the published schema; together they break a rule it cannot state.
            return respond(
                request, 400, COMBINATION[0], _(COMBINATION[1]) % {"summary": summary}, details=details
            )
        return respond(request, 422, VALIDATION[0], _(VALIDATION[1]) % {"summary": summary}, details=details)

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request, exc):
        return respond(request, 401, NOT_AUTHENTICATED[0], _(NOT_AUTHENTICATED[1]))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        # Ninja reports whatever the body parser raised as "Cannot parse request body" (400); the parser's
        # own refusals keep their answer.
        if isinstance(exc.__cause__, ValidationError):
            return invalid_input(request, exc.__cause__)
        if isinstance(exc.__cause__, DomainError):
            return domain_error(request, exc.__cause__)
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return respond(request, 400, INVALID_JSON[0], _(INVALID_JSON[1]))
        if exc.status_code == 403 and "CSRF" in str(exc):
            return respond(request, 403, CSRF_FAILED[0], _(CSRF_FAILED[1]))
        if exc.status_code == 401:
            return respond(request, 401, NOT_AUTHENTICATED[0], _(NOT_AUTHENTICATED[1]))
        return respond(request, exc.status_code, "http_error", str(exc))

    @api.exception_handler(RequestDataTooBig)
    @api.exception_handler(TooManyFieldsSent)
    @api.exception_handler(TooManyFilesSent)
    def too_large(request, exc):
        # Past the size the middleware checks up front: a multipart field too large, too many fields or files.
        response = respond(request, 413, TOO_LARGE[0], too_large_message())
        response["Connection"] = "close"
        return response

    @api.exception_handler(MultiPartParserError)
    def invalid_multipart(request, exc):
        return respond(request, 400, INVALID_MULTIPART[0], _(INVALID_MULTIPART[1]))

    @api.exception_handler(Http404)
    def http_404(request, exc):
        return respond(request, 404, NOT_FOUND[0], _(NOT_FOUND[1]))

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request, exc):
        return respond(request, 404, NOT_FOUND[0], _(NOT_FOUND[1]))

    @api.exception_handler(DataError)
    def data_error(request, exc):
        # e.g. a product of quantity × price that overflows DECIMAL(14, 2) on PostgreSQL.
        logger.warning("API input rejected by the database: %s", exc)
        return respond(request, 400, OUT_OF_RANGE[0], _(OUT_OF_RANGE[1]))

    @api.exception_handler(OverflowError)
    @api.exception_handler(InvalidOperation)
    def overflow(request, exc):
        # SQLite stores what PostgreSQL would refuse and fails when reading it back at the column's scale
        # (InvalidOperation); date arithmetic past year 9999 overflows. The write endpoint's transaction
        # rolls back, as it does on PostgreSQL's DataError.
        logger.warning("API input overflowed a decimal column or a date: %r", exc)
        return respond(request, 400, OUT_OF_RANGE[0], _(OUT_OF_RANGE[1]))

    @api.exception_handler(IntegrityError)
    def integrity_error(request, exc):
        # A constraint the service did not anticipate (or a race it lost): nothing was written.
        logger.warning("API request violated a database constraint: %s", exc)
        return respond(request, 409, CONFLICT[0], _(CONFLICT[1]))

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        logger.exception("Unexpected error in %s %s", request.method, request.path)
        return respond(request, 500, SERVER_ERROR[0], _(SERVER_ERROR[1]))
