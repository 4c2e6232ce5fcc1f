"""The audit trail, newest first; the archive of documents that left Comptoir."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from comptoir.archive import selectors as archive
from comptoir.archive.models import ArchivedFile
from comptoir.web import labels, queries
from comptoir.web.sorting import SortSpec
from comptoir.web.views.common import paginate, param, requires

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


@requires("audit.view")
def archive_list(request):
    """Every file that left Comptoir (e-mails and their attachments), found by number, name or SHA-256."""
    q = param(request.GET, "q")
    page = paginate(request, archive.search(q))
    return render(request, "web/audit/archive.html", {"page_obj": page, "q": q})


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
