"""« Délais », « Chiffre d'affaires » and « Produits et stock » (insights, read-only; #22 point 8): three pages
beside « Marges », under its menu entry and its tabs, each over a period (the last twelve months unless
chosen), sortable and exported to CSV and XLSX in the order shown. Thin: the figures come from
insights.lead_times, insights.revenue and insights.stock_cover; the charts are drawn by web.charts."""

import datetime

from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.core import dates, replica
from comptoir.insights import lead_times as lead_view
from comptoir.insights import period as periods
from comptoir.insights import revenue, stock_cover
from comptoir.insights.margins import Margin
from comptoir.web import charts, forms
from comptoir.web.sorting import SortSpec
from comptoir.web.templatetags.comptoir_format import euros, qty
from comptoir.web.trends import month_starts
from comptoir.web.views.common import export_list, paginate, param, requires

# The pages of the insights menu, in the order of their tabs: URL name → label.
PAGES = (
    ("web:margins", _l("Marges")),
    ("web:lead_times", _l("Délais")),
    ("web:revenue", _l("Chiffre d'affaires")),
    ("web:products_stock", _l("Produits et stock")),
)


def pages(current: str) -> list[tuple[str, str, bool]]:
    return [(name, label, name == current) for name, label in PAGES]


def _period(request):
    """The period form and the period it gives (its missing ends filled: the last twelve months)."""
    form = forms.PeriodForm(request.GET or None)
    date_from, date_to = form.period()
    date_from, date_to = periods.resolve(date_from, date_to, today=dates.today())
    return form, date_from, date_to


def _tab(request, tabs: dict) -> str:
    tab = param(request.GET, "par")
    return tab if tab in tabs else next(iter(tabs))


# --- Délais ----------------------------------------------------------------------------------------

LEAD_TABS = {"client": ("customer", _l("Par client")), "produit": ("product", _l("Par produit"))}
STEP_LABELS = {
    "first_delivery": _l("Commande → 1re livraison"),
    "last_delivery": _l("Commande → dernière livraison"),
    "invoicing": _l("Livraison → facture"),
    "payment": _l("Facture → paiement"),
    "cash": _l("Commande → encaissement"),
}
# `?tri=` keys: the name, and each step's median (its French word).
STEP_WORDS = {
    "first_delivery": "livraison",
    "last_delivery": "livraison-complete",
    "invoicing": "facturation",
    "payment": "paiement",
    "cash": "encaissement",
}
LEAD_SORT = SortSpec(
    {"nom": "label", **{word: f"{step}_median" for step, word in STEP_WORDS.items()}}, tiebreaker="label"
)


def _lead_times(request):
    tab = _tab(request, LEAD_TABS)
    by = LEAD_TABS[tab][0]
    form, date_from, date_to = _period(request)
    found = lead_view.lead_times(by, date_from=date_from, date_to=date_to)
    rows, sort = LEAD_SORT.sort_rows(found.rows, request.GET)
    return tab, by, form, found, rows, sort


@requires("margin.view")
@replica.reading()
def lead_times(request):
    tab, by, form, found, rows, sort = _lead_times(request)
    page_obj = paginate(request, rows)
    steps = [
        (step, STEP_LABELS[step], STEP_WORDS[step], found.overall.spread(step)) for step in lead_view.STEPS
    ]
    return render(
        request,
        "web/insights/lead_times.html",
        {
            "pages": pages("web:lead_times"),
            "tab": tab,
            "tabs": [(key, label, key == tab) for key, (_by, label) in LEAD_TABS.items()],
            "header": _("Client") if by == "customer" else _("Produit"),
            "period": form,
            "date_from": found.date_from,
            "date_to": found.date_to,
            "steps": steps,
            "rows": page_obj,
            "page_obj": page_obj,
            "sort": sort,
            "chart": charts.bar_chart(
                [(str(label), spread.median or 0) for _step, label, _word, spread in steps if spread.count]
            ),
            "chart_description": " ".join(
                _("%(step)s : médiane %(median)s jours, 9 sur 10 en %(p90)s jours au plus, sur %(count)s.")
                % {"step": label, "median": qty(spread.median), "p90": qty(spread.p90), "count": spread.count}
                for _step, label, _word, spread in steps
                if spread.count
            ),
        },
    )


def _lead_columns(by):
    columns = [(_l("Client") if by == "customer" else _l("Produit"), lambda row: row.label)]
    for step in lead_view.STEPS:
        label = STEP_LABELS[step]
        columns += [
            (_("%(step)s — médiane (jours)") % {"step": label}, lambda row, s=step: row.spread(s).median),
            (_("%(step)s — 90e centile (jours)") % {"step": label}, lambda row, s=step: row.spread(s).p90),
            (_("%(step)s — documents") % {"step": label}, lambda row, s=step: row.spread(s).count),
        ]
    return columns


@requires("margin.view")
@replica.reading()
def lead_times_export(request, fmt):
    _tab_key, by, _form, _found, rows, _sort = _lead_times(request)
    return export_list(fmt, _("delais"), _lead_columns(by), rows)


# --- Chiffre d'affaires ----------------------------------------------------------------------------

REVENUE_TABS = {
    "client": ("customer", _l("Par client")),
    "produit": ("product", _l("Par produit")),
    "canal": ("channel", _l("Par canal")),
    "mois": ("month", _l("Par mois")),
}
REVENUE_HEADERS = {
    "customer": _l("Client"),
    "product": _l("Produit"),
    "channel": _l("Canal de la commande"),
    "month": _l("Mois"),
}
REVENUE_SORT = SortSpec(
    {
        "nom": "label",
        "factures": "invoices",
        "ca": "revenue",
        "part": "share",
        "marge": "amount",
        "taux": "rate",
    },
    tiebreaker="label",
)


def _revenue(request):
    tab = _tab(request, REVENUE_TABS)
    by = REVENUE_TABS[tab][0]
    form, date_from, date_to = _period(request)
    rows = revenue.revenue_by(by, date_from=date_from, date_to=date_to)
    rows, sort = REVENUE_SORT.sort_rows(rows, request.GET)
    return tab, by, form, date_from, date_to, rows, sort


def _month_key(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _months(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    count = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
    return month_starts(date_from.replace(day=1), count)


@requires("margin.view")
@replica.reading()
def revenue_page(request):
    tab, by, form, date_from, date_to, rows, sort = _revenue(request)
    per_month = rows if by == "month" else revenue.revenue_by("month", date_from=date_from, date_to=date_to)
    found = {_month_key(row.key): row.margin for row in per_month if row.key is not None}
    months = [(month, found.get(month, Margin())) for month in _months(date_from, date_to)]
    page_obj = paginate(request, rows)
    context = {
        "pages": pages("web:revenue"),
        "tab": tab,
        "tabs": [(key, label, key == tab) for key, (_by, label) in REVENUE_TABS.items()],
        "header": REVENUE_HEADERS[by],
        "period": form,
        "date_from": date_from,
        "date_to": date_to,
        "rows": page_obj,
        "page_obj": page_obj,
        "sort": sort,
        "total": sum((row.margin for row in rows), Margin()),
        "invoices": sum(row.invoices for row in rows) if by != "product" else None,
        "months_chart": charts.column_chart(
            [(formats.date_format(month, "N"), (margin.revenue, margin.margin)) for month, margin in months]
        ),
        "months_description": " ".join(
            _("%(month)s : chiffre d'affaires %(revenue)s, marge %(margin)s.")
            % {
                "month": formats.date_format(month, "F Y"),
                "revenue": euros(m.revenue),
                "margin": euros(m.margin),
            }
            for month, m in months
        ),
        "series": (_("Chiffre d'affaires HT"), _("Marge")),
        "channel_chart": charts.bar_chart([(row.label, row.revenue) for row in rows])
        if by == "channel"
        else None,
    }
    return render(request, "web/insights/revenue.html", context)


def _revenue_columns(by):
    return (
        (REVENUE_HEADERS[by], lambda row: row.label),
        (_l("Factures et avoirs"), lambda row: row.invoices),
        (_l("Chiffre d'affaires HT"), lambda row: row.revenue),
        (_l("Part du chiffre d'affaires (%)"), lambda row: row.share),
        (_l("Marge"), lambda row: row.amount),
        (_l("Taux de marge (%)"), lambda row: row.rate),
    )


@requires("margin.view")
@replica.reading()
def revenue_export(request, fmt):
    _tab_key, by, _form, _from, _to, rows, _sort = _revenue(request)
    return export_list(fmt, _("chiffre-affaires"), _revenue_columns(by), rows)


# --- Produits et stock -----------------------------------------------------------------------------

STOCK_SORT = SortSpec(
    {
        "produit": "label",
        "ca": "revenue",
        "marge": "amount",
        "taux": "rate",
        "stock": "on_hand",
        "valeur": "stock_value",
        "vendu": "sold",
        "couverture": "cover_order",
        "immobilise": "weight",
        "derniere-vente": "last_sale",
    },
    tiebreaker="sku",
)


def _dormant_days(request) -> int:
    raw = param(request.GET, "jours", 4)
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 3650 else stock_cover.DORMANT_DAYS


def _products_stock(request):
    form, date_from, date_to = _period(request)
    dormant_days = _dormant_days(request)
    rows = stock_cover.products_stock(
        date_from=date_from, date_to=date_to, dormant_days=dormant_days, today=dates.today()
    )
    only_dormant = param(request.GET, "dormants") == "1"
    if only_dormant:
        rows = [row for row in rows if row.dormant]
    rows, sort = STOCK_SORT.sort_rows(rows, request.GET)
    return form, date_from, date_to, dormant_days, only_dormant, rows, sort


@requires("margin.view")
@replica.reading()
def products_stock(request):
    form, date_from, date_to, dormant_days, only_dormant, rows, sort = _products_stock(request)
    heaviest = sorted((row for row in rows if row.stock_value), key=lambda row: -row.weight)[:10]
    page_obj = paginate(request, rows)
    return render(
        request,
        "web/insights/products_stock.html",
        {
            "pages": pages("web:products_stock"),
            "period": form,
            "date_from": date_from,
            "date_to": date_to,
            "dormant_days": dormant_days,
            "only_dormant": only_dormant,
            "rows": page_obj,
            "page_obj": page_obj,
            "sort": sort,
            "dormant_count": sum(1 for row in rows if row.dormant),
            "dormant_value": sum((row.stock_value for row in rows if row.dormant), 0),
            "chart": charts.bar_chart([(row.sku, row.stock_value) for row in heaviest]),
        },
    )


STOCK_COLUMNS = (
    (_l("Référence"), lambda row: row.sku),
    (_l("Désignation"), lambda row: row.name),
    (_l("Chiffre d'affaires HT"), lambda row: row.revenue),
    (_l("Marge"), lambda row: row.amount),
    (_l("Taux de marge (%)"), lambda row: row.rate),
    (_l("Stock en main"), lambda row: row.on_hand),
    (_l("Valeur du stock"), lambda row: row.stock_value),
    (_l("Quantité vendue"), lambda row: row.sold),
    (_l("Couverture (jours)"), lambda row: row.cover),
    (_l("Immobilisé (€ × jours)"), lambda row: row.tied_up),
    (_l("Dernière vente"), lambda row: row.last_sale),
    (_l("Dormant"), lambda row: _("oui") if row.dormant else _("non")),
)


@requires("margin.view")
@replica.reading()
def products_stock_export(request, fmt):
    *_rest, rows, _sort = _products_stock(request)
    return export_list(fmt, _("produits-stock"), STOCK_COLUMNS, rows)
