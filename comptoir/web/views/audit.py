"""The audit trail, newest first."""

from django.shortcuts import render

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
