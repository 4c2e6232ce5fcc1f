"""Request size limits, for the API and the web alike: an oversized request is answered 413 before it is read.

Django refuses a JSON or form body past DATA_UPLOAD_MAX_MEMORY_SIZE only when the body is read, with a
SuspiciousOperation that the API turned into a 500 and the web into a bare 400; and it sets no limit at
all on the files of a multipart request. `RequestSizeMiddleware` compares Content-Length with the limit of
the request's type (files: COMPTOIR_MAX_UPLOAD_SIZE; anything else: DATA_UPLOAD_MAX_MEMORY_SIZE) before
any view, CSRF check or authentication reads the body. What only shows while reading (one field of a
multipart body too large, too many fields or files) raises the same exceptions: the API's handler
(api/errors.py) and the web's `bad_request` (handler400) answer them 413 too.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.views import defaults

TOO_LARGE = (
    "request_too_large",
    N_(
        "La requête est trop volumineuse : %(limit)s au plus pour des données JSON ou un formulaire, "
        "%(upload)s avec des fichiers joints (multipart/form-data). Envoyez moins de données à la fois."
    ),
)
TOO_LARGE_ERRORS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)
API_PREFIX = "/api/"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}\u00a0Mo".replace(".", ",")


def too_large_message() -> str:
    return _(TOO_LARGE[1]) % {
        "limit": _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
        "upload": _megabytes(settings.COMPTOIR_MAX_UPLOAD_SIZE),
    }


def limit_for(request) -> int:
    if request.content_type == "multipart/form-data":
        return settings.COMPTOIR_MAX_UPLOAD_SIZE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large(request):
    """The 413 answer: the API's error body under /api/, a page elsewhere."""
    if request.path.startswith(API_PREFIX):
        response = JsonResponse({"code": TOO_LARGE[0], "message": too_large_message()}, status=413)
    else:
        response = render(request, "413.html", {"message": too_large_message()}, status=413)
    # The client may still be sending the body it announced; it must not reuse the connection.
    response["Connection"] = "close"
    return response


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit_for(request):
            return too_large(request)
        return self.get_response(request)


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    """handler400: Django's 400 page, except for a request too large to read (413)."""
    if isinstance(exception, TOO_LARGE_ERRORS):
        return too_large(request)
    return defaults.bad_request(request, exception, template_name)
