"""The audit trail, newest first; the archive of documents that left Comptoir."""

import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from comptoir.archive import retention
from comptoir.archive import selectors as archive
from comptoir.archive import services as archive_services
from comptoir.archive.models import ArchivedFile
from comptoir.web import labels, queries
from comptoir.web.sorting import SortSpec
from comptoir.web.views.common import action, paginate, param, perform, requires

# The sequence number orders the chain: it is also the order of the events in time.
AUDIT_SORT = SortSpec(
    {"numero": "seq", "date": "at", "utilisateur": "actor_name", "action": "action"}, tiebreaker="seq"
)


@requires("audit.view")
def audit_list(request):
    q, object_type = param(request.GET, "q"), param(request.GET, "type")
    events, sort = AUDIT_SORT.apply(queries.audit_events(q, object_type), request.GET)
    page = paginate(request, events)
    return render(
        request,
        "web/audit/list.html",
        {
            "page_obj": page,
            "q": q,
            "type": object_type,
            "types": list(labels.AUDIT_OBJECT_TYPES.items()),
            "sort": sort,
        },
    )


def _day(text: str):
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@requires("audit.view")
def archive_list(request):
    """Every file that left Comptoir or entered it: full-text search (number, party, names, the words of
    XML files, e-mails and PDFs), by party, type, document date and tag."""
    q, party, kind, tag = (param(request.GET, name) for name in ("q", "tiers", "type", "etiquette"))
    date_from, date_to = _day(param(request.GET, "du", 10)), _day(param(request.GET, "au", 10))
    if kind not in retention.KINDS:
        kind = ""
    files = archive.search(q, party=party, kind=kind, date_from=date_from, date_to=date_to, tag=tag)
    page = paginate(request, files)
    labels_of = {value: _(label) for value, (label, _years) in retention.KINDS.items()}
    for file in page.object_list:
        entry = getattr(file, "entry", None)
        file.kind_label = labels_of.get(entry.kind, "") if entry else ""
    return render(
        request,
        "web/audit/archive.html",
        {
            "page_obj": page,
            "q": q,
            "tiers": party,
            "type": kind,
            "etiquette": tag,
            "du": date_from.isoformat() if date_from else "",
            "au": date_to.isoformat() if date_to else "",
            "kinds": [(value, _(label)) for value, (label, _years) in retention.KINDS.items()],
            "tags": archive.tags_in_use(),
            "filtered": any((q, party, kind, tag, date_from, date_to)),
        },
    )


@action("audit.view")
def archive_tag(request, pk):
    archived = get_object_or_404(ArchivedFile, pk=pk)
    perform(
        request,
        lambda: archive_services.tag_file(archived, param(request.POST, "tag", 40), by=request.user),
        _("Étiquette ajoutée."),
    )
    return redirect(
        request.POST.get("next") if _same_site(request.POST.get("next", "")) else "web:archive_list"
    )


def _same_site(url: str) -> bool:
    return url.startswith("/archives/") and "//" not in url and "\\" not in url


@requires("audit.view")
def archive_download(request, pk):
    """The archived file, byte for byte as it left, under its original name."""
    archived = get_object_or_404(ArchivedFile.objects.select_related("content"), pk=pk)
    # A received file (intake) is whatever a sender sent: never given to the browser under its own type.
    media_type = "application/octet-stream" if archived.is_received else archived.media_type
    response = HttpResponse(archive.content_of(archived), content_type=media_type)
    name = archived.original_name.replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
