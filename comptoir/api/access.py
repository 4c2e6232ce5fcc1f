"""Reading rights and object lookups shared by the endpoints.

Writes are checked by the services themselves; reads have no service, so each read endpoint asks
`can_read` for the area's `<area>.view` permission (same roles table, `core.permissions`).
"""

from django.utils.translation import gettext_noop as N_

from comptoir.core import permissions
from comptoir.core.errors import NotFound


def can_read(request, perm: str):
    """The calling user, once it is checked they may read this area (403 `permission_denied` if not)."""
    permissions.require(request.auth, perm)
    return request.auth


def _by_pk(queryset, pk: int):
    # Not `.first()`: its ORDER BY on a primary-key lookup costs the ORM's compiler more than the query
    # takes (hashing every annotation of the answer's queryset), on every action the API answers.
    return next(iter(queryset.filter(pk=pk)), None)


def fetch(queryset, pk: int):
    """The object of a path id, or 404 `not_found`."""
    obj = _by_pk(queryset, pk)
    if obj is None:
        raise NotFound("not_found", N_("Cet objet n'existe pas (ou plus)."))
    return obj


def referenced(queryset, pk: int, code: str, label: str):
    """The object a request body points to, or 404 with a code naming what is missing."""
    obj = _by_pk(queryset, pk)
    if obj is None:
        raise NotFound(code, N_("%(label)s n° %(id)s n'existe pas."), label=label, id=pk)
    return obj
