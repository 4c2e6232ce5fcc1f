"""The pickers' answers as you type: the top matches of a kind of record, as JSON for
`static/web/comptoir.js` (see `comptoir.web.pickers`)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse

from comptoir.core.permissions import has_perm
from comptoir.web import pickers
from comptoir.web.views.common import param


@login_required
def pick(request, kind):
    if kind not in pickers.KINDS:
        raise Http404(kind)
    if not has_perm(request.user, pickers.KINDS[kind].perm):
        raise PermissionDenied(pickers.KINDS[kind].perm)
    found = pickers.choices(kind, param(request.GET, "q", pickers.MAX_TEXT))
    return JsonResponse(
        {"results": [{"id": c.id, "label": c.label, "detail": c.detail} for c in found]},
        headers={"Cache-Control": "no-store"},
    )
