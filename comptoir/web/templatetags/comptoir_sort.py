"""Headers of sortable columns: `{% load comptoir_sort %}`.

`{% sort_th sort "date" _("Date") %}` draws a <th> whose label links to the list sorted by that column
(the other way round when it is already the sorted one); `{% sort_th sort "total" _("Total") "num" %}`
adds a CSS class. `{% sort_link %}` is the same link for lists that are not tables (journal entries).
`sort` is the `comptoir.web.sorting.Sort` the view put in the context.
"""

from django import template

from comptoir.web.sorting import Sort

register = template.Library()


def _header(context, sort, key, label, css=""):
    sort = sort if isinstance(sort, Sort) else Sort()
    return {"header": sort.header(key, context["request"].GET), "label": label, "css": css}


@register.inclusion_tag("web/_sort_th.html", takes_context=True)
def sort_th(context, sort, key, label, css=""):
    return _header(context, sort, key, label, css)


@register.inclusion_tag("web/_sort_link.html", takes_context=True)
def sort_link(context, sort, key, label, css=""):
    return _header(context, sort, key, label, css)
