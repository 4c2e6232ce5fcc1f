"""Margins (insights): revenue, cost of goods and margin summed per customer, product, sales person or
month over a period, sortable and exportable. Read-only; the rules are insights.margins (docs/architecture.md,
« Margins »). The page reads a streaming replica when one is configured, like the accounting reports."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.core import dates, replica
from comptoir.insights import at_risk, ranking, watch
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


# --- Clients à surveiller: rankings of the period and customers at risk (#22 point 5) -------------------

# The lists of the page, each exportable: the French word of the URL → its label.
WATCH_LISTS = {
    "a-surveiller": _l("Clients à surveiller"),
    "rentables": _l("Les plus rentables"),
    "consommateurs": _l("Les plus consommateurs de ressources"),
    "perdants": _l("Beaux chiffres, marge négative"),
}
ACTION_LABELS = {
    at_risk.CALL: _l("Appeler le client"),
    at_risk.PRICE_LIST: _l("Revoir la liste de prix"),
    at_risk.PAYMENT_TERMS: _l("Renégocier les conditions de paiement"),
}


def reasons_in_words(assessment) -> list[str]:
    return [_(reason.template) % reason.params for reason in assessment.reasons]


def _watch(request):
    period = forms.PeriodForm(request.GET or None)
    date_from, date_to = period.period()
    if not period.is_bound or period.errors:
        # Twelve months to today unless a period is chosen.
        date_to = dates.today()
        date_from = date_to.replace(year=date_to.year - 1)
    date_to = date_to or dates.today()
    found = watch.rankings(date_from=date_from, date_to=date_to)
    listed = watch.customers_at_risk()
    flagged = [
        {
            "customer_id": a.customer_id,
            "name": a.name,
            "score": a.score,
            "action": ACTION_LABELS[a.action],
            "reasons": reasons_in_words(a),
        }
        for a in listed.at_risk
    ]
    return period, date_from, date_to, found, listed, flagged


@requires("margin.view")
@replica.reading()
def customers_watch(request):
    period, date_from, date_to, found, listed, flagged = _watch(request)
    return render(
        request,
        "web/insights/watch.html",
        {
            "period": period,
            "date_from": date_from,
            "date_to": date_to,
            "rankings": found,
            "flagged": flagged,
            "listed": listed,
            "threshold": at_risk.AT_RISK_SCORE,
            "recent_days": at_risk.RECENT_DAYS,
            "min_orders": at_risk.MIN_ORDERS,
            "lists": WATCH_LISTS,
        },
    )


def _ranked_columns():
    return (
        (_l("Client"), lambda row: row.name),
        (_l("Chiffre d'affaires net HT"), lambda row: row.net_revenue),
        (_l("Marge réelle"), lambda row: row.real_margin),
        (_l("Taux de marge réelle (%)"), lambda row: row.real_rate),
        (_l("Ressources consommées"), lambda row: row.resources),
        (_l("Ressources par euro de CA"), lambda row: ranking.resource_ratio(row)),
    )


@requires("margin.view")
@replica.reading()
def customers_watch_export(request, fmt):
    """One list of the page (`?liste=`), for its period."""
    which = param(request.GET, "liste") or "a-surveiller"
    if which not in WATCH_LISTS:
        which = "a-surveiller"
    _period, _from, _to, found, _listed, flagged = _watch(request)
    if which == "a-surveiller":
        columns = (
            (_l("Client"), lambda row: row["name"]),
            (_l("Score"), lambda row: row["score"]),
            (_l("Suivi suggéré"), lambda row: str(row["action"])),
            (_l("Raisons"), lambda row: " ".join(row["reasons"])),
        )
        return export_list(fmt, _("clients-a-surveiller"), columns, flagged)
    rows = {
        "rentables": found.most_profitable,
        "consommateurs": found.most_consuming,
        "perdants": found.looks_good_loses_money,
    }[which]
    return export_list(fmt, _("classement-clients"), _ranked_columns(), rows)
