"""The audit trail, newest first."""

from django.shortcuts import render

from comptoir.web import labels, queries
from comptoir.web.views.common import paginate, param, requires


@requires("audit.view")
def audit_list(request):
    q, object_type = param(request.GET, "q"), param(request.GET, "type")
    page = paginate(request, queries.audit_events(q, object_type))
    return render(
        request,
        "web/audit/list.html",
        {"page_obj": page, "q": q, "type": object_type, "types": list(labels.AUDIT_OBJECT_TYPES.items())},
    )
