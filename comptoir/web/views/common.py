"""What every view shares: the permission gate, running a service, pagination, list exports,
transition buttons."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.core import workflow
from comptoir.core.errors import DomainError
from comptoir.core.permissions import has_perm
from comptoir.web import export

PER_PAGE = 25
# Rows fetched per query while exporting: memory stays bounded whatever the size of the list.
EXPORT_CHUNK = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def param(data, name: str, max_length: int = 100) -> str:
    """A query or form parameter as clean text: trimmed, bounded, without NUL characters (which
    PostgreSQL refuses in text and JSON)."""
    return (data.get(name) or "").replace("\x00", "").strip()[:max_length]


def requires(perm: str):
    """Login first, then the read (or manage) permission of the page; 403 page otherwise."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_perm(request.user, perm):
                raise PermissionDenied(perm)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def action(perm: str):
    """A POST-only action button. The page's read permission gates it; the service checks the
    action's own permission and says in French why it refuses."""

    def decorator(view):
        return require_POST(requires(perm)(view))

    return decorator


def perform(request, run: Callable, success: str | Callable = ""):
    """Call a service; on DomainError show its French message and return (None, False)."""
    try:
        result = run()
    except DomainError as exc:
        messages.error(request, exc.message)
        return None, False
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    return result, True


def file_download(request, run: Callable, back: str, pk: int | None = None):
    """A document's file (`run()` gives an object with body, filename, content_type) as an attachment;
    on DomainError, its French message on the document's page `back`."""
    file, ok = perform(request, run)
    if not ok:
        return redirect(back, pk=pk) if pk is not None else redirect(back)
    response = HttpResponse(file.body, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


# From this row on, a page of a queryset reads the ids of its rows first, then those rows. Skipping tens
# of thousands of rows costs little when only their ids are read (from the list's index alone), much when
# whole rows are built and joined to be skipped.
DEFERRED_FROM = 1000


class ListPaginator(Paginator):
    """Django's paginator, except that a far page of model rows is read by its ids first."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        qs = self.object_list
        if bottom < DEFERRED_FROM or not isinstance(qs, QuerySet) or qs._iterable_class is not ModelIterable:
            return self._get_page(qs[bottom:top], number, self)
        ids = list(qs.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in qs.filter(pk__in=ids).order_by()}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def paginate(request, qs, per_page: int = PER_PAGE):
    return ListPaginator(qs, per_page).get_page(request.GET.get("page"))


def export_list(fmt: str, name: str, columns, qs):
    """The whole filtered list `qs` (every page, in the page's order) as a CSV or XLSX download.

    `columns` are (header, value of an object) pairs; `name` starts the file name, followed by
    today's date. `qs` is a queryset, read in chunks, or rows already computed (a report). CSV is
    streamed; XLSX is built in memory by openpyxl's write-only workbook."""
    if fmt not in ("csv", "xlsx"):
        raise Http404(fmt)
    headers = [str(header) for header, _value in columns]
    objects = qs.iterator(chunk_size=EXPORT_CHUNK) if hasattr(qs, "iterator") else qs
    rows = ([value(obj) for _header, value in columns] for obj in objects)
    filename = f"{name}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            export.csv_lines(headers, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(export.xlsx_bytes(name, headers, rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def may(user, model, current: str, target: str, perm: str) -> bool:
    """Show an action button only if the state table allows the move and the user's role may do it."""
    return workflow.can(model.TRANSITIONS, current, target) and has_perm(user, perm)


def show_form_error(request, form, exc: DomainError) -> None:
    """Put a service's refusal next to the field it concerns (form.ERROR_FIELDS), or on top."""
    field = getattr(form, "ERROR_FIELDS", {}).get(exc.code)
    form.add_error(field if field in form.fields else None, exc.message)
    messages.error(request, _("Le formulaire contient une erreur : %(message)s") % {"message": exc.message})
