"""Every request has an id: the one the reverse proxy sent in X-Request-ID (when it is a sane token), or
a new one. It goes back in the response's X-Request-ID, into every log line written while the request
runs (the `request_id` filter in settings.LOGGING) and onto the 500 page, so a user's « erreur
ABC123 » leads to the exact lines in the log."""

import contextvars
import logging
import re
import uuid

HEADER = "HTTP_X_REQUEST_ID"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# What a proxy may hand us: letters, digits and a few separators, not too long (it ends up in logs).
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def current() -> str:
    """The id of the request this thread serves, "-" outside a request (a task, a command)."""
    return _current.get()


def new_id(proposed: str | None = None) -> str:
    if proposed and _SANE.match(proposed):
        return proposed
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = new_id(request.META.get(HEADER))
        token = _current.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, so the formats can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True


def server_error(request, template_name="500.html"):
    """handler500: the French error page with the request's id to quote, never the trace (that goes to
    the log, under the same id). Rendered without the context processors, which may be what failed."""
    from django.http import HttpResponseServerError
    from django.template import loader

    try:
        template = loader.get_template(template_name)
        body = template.render({"request_id": getattr(request, "request_id", current())})
    except Exception:  # the template itself is broken: still never a trace
        body = "<h1>Erreur serveur (500)</h1>"
    return HttpResponseServerError(body)
