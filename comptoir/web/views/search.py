"""The global search page, and its results as you type (htmx) in the box at the top of every page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from comptoir.web import search as global_search
from comptoir.web.views.common import param


@login_required
def search(request):
    q = param(request.GET, "q", 100)
    groups = global_search.search(q, request.user)
    hits = [hit for group in groups for hit in group.hits]
    as_you_type = request.headers.get("HX-Request") == "true"
    # A document number typed in full and found alone: straight to it, as the box's Enter promises.
    if (
        not as_you_type
        and len(hits) == 1
        and hits[0].label.casefold() == q.strip().casefold()
        and request.GET.get("liste") != "1"
    ):
        return redirect(hits[0].url)
    template = "web/search/_results.html" if as_you_type else "web/search/page.html"
    return render(request, template, {"q": q, "groups": groups})
