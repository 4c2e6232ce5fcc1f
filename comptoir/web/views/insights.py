"""Margins (insights): revenue, cost of goods and margin summed per customer, product, sales person or
month over a period, sortable and exportable. Read-only; the rules are insights.margins (docs/architecture.md,
« Margins »). The page reads a streaming replica when one is configured, like the accounting reports."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.core import replica
from comptoir.insights import selectors as margin_view
from comptoir.insights.margins import Margin
from comptoir.parties.models import Customer
from comptoir.web import forms
from comptoir.web.sorting import SortSpec
from comptoir.web.views import insights_reports
from comptoir.web.views.common import export_list, param, requires

# The tabs of the page: the French word of the URL → (the grouping, its label).
TABS = {
    "client": ("customer", _l("Par client")),
    "produit": ("product", _l("Par produit")),
    "commercial": ("salesperson", _l("Par commercial")),
    "mois": ("month", _l("Par mois")),
}
HEADERS = {
    "customer": _l("Client"),
    "product": _l("Produit"),
    "salesperson": _l("Commercial"),
    "month": _l("Mois"),
}
MARGIN_SORT = SortSpec(
    {
        "nom": "label",
        "lignes": "lines",
        "ca": "revenue",
        "cout": "cost",
        "marge": "amount",
        "taux": "rate",
    },
    tiebreaker="label",
)


def _rows(request):
    tab = param(request.GET, "par") or "client"
    if tab not in TABS:
        tab = "client"
    by = TABS[tab][0]
    period = forms.PeriodForm(request.GET or None)
    date_from, date_to = period.period()
    filters = {}
    customer = _customer(request)
    if customer is not None:
        filters["invoice__customer_id"] = customer.pk
    rows = margin_view.margins_by(by, date_from=date_from, date_to=date_to, **filters)
    rows, sort = MARGIN_SORT.sort_rows(rows, request.GET)
    return tab, by, period, rows, sort, customer


def _customer(request):
    """One customer's margins (`?client=<id>`, from the customer page), or everyone's."""
    raw = param(request.GET, "client", 12)
    if not raw.isdigit():
        return None
    return Customer.objects.filter(pk=int(raw)).first()


@requires("margin.view")
@replica.reading()
def margins(request):
    tab, by, period, rows, sort, customer = _rows(request)
    total = sum((row.margin for row in rows), Margin())
    tabs = [(key, label, key == tab) for key, (_by, label) in TABS.items()]
    return render(
        request,
        "web/insights/margins.html",
        {
            "tab": tab,
            "tabs": tabs,
            "header": HEADERS[by],
            "period": period,
            "rows": rows,
            "sort": sort,
            "total": total,
            "customer": customer,
            "pages": insights_reports.pages("web:margins"),
        },
    )


def _columns(by):
    return (
        (HEADERS[by], lambda row: row.label),
        (_l("Lignes"), lambda row: row.lines),
        (_l("Chiffre d'affaires HT"), lambda row: row.revenue),
        (_l("Coût de revient"), lambda row: row.cost),
        (_l("Marge"), lambda row: row.amount),
        (_l("Taux de marge (%)"), lambda row: row.rate),
    )


@requires("margin.view")
@replica.reading()
def margins_export(request, fmt):
    """The rows of the tab, period and order on the page."""
    _tab, by, _period, rows, _sort, _customer = _rows(request)
    return export_list(fmt, _("marges"), _columns(by), rows)
