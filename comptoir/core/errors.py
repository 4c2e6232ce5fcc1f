"""DomainError: the one exception business rules raise.

A code is a stable string that API clients can rely on; the message is French (through gettext, with
named placeholders) and says what to do. Views show the message, the API returns both.
"""

from django.utils.translation import gettext as _


class DomainError(Exception):
    # The HTTP status the API answers with; subclasses and codes can refine it.
    status = 400

    def __init__(self, code: str, message: str, *, http_status: int | None = None, **params):
        self.code = code
        self.template = message
        self.params = params
        if http_status is not None:
            self.status = http_status
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = _(self.template)
        return text % self.params if self.params else text

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The document is not in a state that allows the action (409)."""

    status = 409


def fail(error: tuple[str, str], **params):
    """Raise the DomainError an area declares as a (code, French message) pair in its errors.py."""
    code, message = error
    raise DomainError(code, message, **params)
