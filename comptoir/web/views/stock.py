"""Stock levels (with the low-stock alerts), the history of stock moves, and goods receipts."""

from django.contrib import messages
from django.db.models import Q
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.catalog.models import Product
from comptoir.core import money
from comptoir.core.errors import DomainError
from comptoir.core.permissions import has_perm
from comptoir.stock import selectors as stock_view
from comptoir.stock import services
from comptoir.stock.models import Receipt, StockMove
from comptoir.web import forms, pickers, queries
from comptoir.web.sorting import SortSpec
from comptoir.web.submissions import submitted_once
from comptoir.web.views.common import action, export_list, paginate, param, perform, requires

RECEIPT_ROWS = 3
# Low-stock alerts listed on top of the stock page; the « alertes » filter shows them all.
ALERTS_SHOWN = 5

STOCK_SORT = SortSpec(
    {
        "reference": "sku",
        "nom": Lower("name"),
        "en_stock": "stock_level__on_hand",
        "seuil": "low_stock_threshold",
        "cmup": "stock_level__average_cost",
    }
)


def _levels_query(request):
    """The search, the alerts-only switch, the goods they select in the order asked for, and that order."""
    q, only_alerts = param(request.GET, "q"), request.GET.get("alertes") == "1"
    products = Product.objects.filter(kind=Product.Kind.GOODS, is_active=True).order_by("sku")
    if q:
        products = products.filter(Q(sku__icontains=q) | Q(name__icontains=q))
    products, sort = STOCK_SORT.apply(products, request.GET)
    return q, only_alerts, products, sort


@requires("stock.view")
def stock_levels(request):
    q, only_alerts, products, sort = _levels_query(request)
    alerts = queries.stock_alerts()
    if only_alerts:
        # The alerts already hold their levels: only their order (search and sort) is asked for.
        low = {level.product.pk: level for level in alerts}
        page = paginate(request, [low[pk] for pk in products.filter(pk__in=low).values_list("pk", flat=True)])
    else:
        page = paginate(request, products)
        page.object_list = stock_view.stock_levels(page.object_list)
    context = {
        "page_obj": page,
        "q": q,
        "alertes": only_alerts,
        "sort": sort,
        "alerts": alerts[:ALERTS_SHOWN],
        "alert_count": len(alerts),
    }
    return render(request, "web/stock/levels.html", context)


# --- Stock moves --------------------------------------------------------------------------------

MOVE_SORT = SortSpec(
    {
        "date": "date",
        "produit": "product__sku",
        "type": "kind",
        "piece": "document",
        "quantite": "quantity",
        "cout": "unit_cost",
    }
)
# The permission that opens the document each kind of move comes from.
MOVE_SOURCE_PERMISSIONS = {
    StockMove.Kind.RECEIPT: "stock.view",
    StockMove.Kind.DELIVERY: "delivery.view",
    StockMove.Kind.RETURN: "return.view",
    StockMove.Kind.SURPLUS: "return.view",
}


def readable_sources(user) -> list[str]:
    """The kinds of stock moves whose source document the user may open."""
    return [kind for kind, perm in MOVE_SOURCE_PERMISSIONS.items() if has_perm(user, perm)]


def _moves(request):
    """The stock moves the history's search and filters select, in the order asked for, and those
    filters for the page."""
    q, kind = param(request.GET, "q"), param(request.GET, "type")
    kind = kind if kind in StockMove.Kind.values else ""
    product_id = queries.int_or_none(request.GET.get("produit"))
    period = forms.PeriodForm(request.GET or None)
    date_from, date_to = period.period()
    moves = stock_view.moves(product_id=product_id, kind=kind, date_from=date_from, date_to=date_to, search=q)
    moves, sort = MOVE_SORT.apply(moves, request.GET)
    filters = {
        "q": q,
        "type": kind,
        "produit": product_id,
        "period": period,
        "filtered": bool(q or kind or product_id or date_from or date_to),
        "sort": sort,
    }
    return moves, filters


@requires("stock.view")
def stock_moves(request):
    moves, filters = _moves(request)
    page = paginate(request, moves)
    page.object_list = queries.with_sources(page.object_list, readable_sources(request.user))
    product = Product.objects.filter(pk=filters["produit"]).first() if filters["produit"] else None
    context = {"page_obj": page, "product": product, "kinds": StockMove.Kind.choices, **filters}
    return render(request, "web/stock/moves.html", context)


MOVE_COLUMNS = (
    (_l("Date"), lambda move: move.date),
    (_l("Référence"), lambda move: move.product.sku),
    (_l("Désignation"), lambda move: move.product.name),
    (_l("Type"), lambda move: move.get_kind_display()),
    (_l("Pièce"), lambda move: move.document),
    (_l("Quantité"), lambda move: move.quantity),
    (_l("Coût unitaire"), lambda move: move.unit_cost),
)


STOCK_LEVEL_COLUMNS = (
    (_l("Référence"), lambda level: level.product.sku),
    (_l("Produit"), lambda level: level.product.name),
    (_l("En stock"), lambda level: level.on_hand),
    (_l("Réservé"), lambda level: level.reserved),
    (_l("Disponible"), lambda level: level.available),
    (_l("À recevoir"), lambda level: level.incoming),
    (_l("Reliquat"), lambda level: level.backorder),
    (_l("Seuil"), lambda level: level.product.low_stock_threshold),
    (_l("Coût moyen (CMUP)"), lambda level: level.average_cost),
    (_l("Valeur du stock"), lambda level: money.cost_of(level.on_hand, level.average_cost)),
)
EXPORT_BATCH = 500


def _levels_in_batches(products):
    """The levels of the goods selected, computed a batch of products at a time."""
    batch = []
    for product in products.iterator(chunk_size=EXPORT_BATCH):
        batch.append(product)
        if len(batch) == EXPORT_BATCH:
            yield from stock_view.stock_levels(batch)
            batch = []
    if batch:
        yield from stock_view.stock_levels(batch)


@requires("stock.view")
def stock_levels_export(request, fmt):
    """The stock levels the page selects (search, alerts only, order), every page."""
    _q, only_alerts, products, _sort = _levels_query(request)
    if only_alerts:
        low = {level.product.pk for level in queries.stock_alerts()}
        products = products.filter(pk__in=low)
    return export_list(fmt, _("stock"), STOCK_LEVEL_COLUMNS, _levels_in_batches(products))


@requires("stock.view")
def stock_moves_export(request, fmt):
    moves, _filters = _moves(request)
    return export_list(fmt, _("mouvements-stock"), MOVE_COLUMNS, moves)


# --- Goods receipts -----------------------------------------------------------------------------


@requires("stock.receive")
@submitted_once
def receipt_create(request):
    form = forms.ReceiptForm(request.POST or None)
    rows = forms.receipt_rows(request.POST) if request.method == "POST" else []
    if request.method == "POST" and form.is_valid():
        try:
            lines = forms.receipt_lines(rows)
            # "Prévoir": a planned receipt, shown as incoming until the goods arrive and are received.
            planned = request.POST.get("prevoir") == "1"
            receipt = (services.create_receipt if planned else services.receive_stock)(
                lines,
                by=request.user,
                supplier_name=form.cleaned_data["supplier_name"],
                date=form.cleaned_data["date"],
            )
        except (forms.RowError, DomainError) as exc:
            messages.error(request, exc.message)
        else:
            if planned:
                messages.success(
                    request,
                    _("Réception %(number)s prévue : à réceptionner à l'arrivée des marchandises.")
                    % {"number": receipt.number},
                )
                return redirect("web:receipt_detail", pk=receipt.pk)
            messages.success(
                request,
                _("Réception %(number)s enregistrée : %(count)s ligne(s) entrée(s) en stock.")
                % {"number": receipt.number, "count": len(lines)},
            )
            return redirect("web:stock")
    rows = pickers.label_rows(rows, "marchandises") or [{} for _ in range(RECEIPT_ROWS)]
    return render(request, "web/stock/receipt_form.html", {"form": form, "rows": rows})


@requires("stock.receive")
def receipt_row(request):
    """One more empty row of the receipt form (htmx)."""
    return render(request, "web/stock/_receipt_row.html", {"row": {}})


RECEIPT_STATES = {"prevues": Receipt.Status.DRAFT, "recues": Receipt.Status.VALIDATED}


@requires("stock.view")
def receipt_list(request):
    """Goods receipts, the planned ones (still to receive) first by default."""
    state = param(request.GET, "etat") or "prevues"
    state = state if state in RECEIPT_STATES or state == "toutes" else "prevues"
    receipts = Receipt.objects.select_related("created_by").order_by("date", "id")
    if state != "toutes":
        receipts = receipts.filter(status=RECEIPT_STATES[state])
    if state != "prevues":
        receipts = receipts.order_by("-date", "-id")
    page = paginate(request, receipts)
    return render(
        request,
        "web/stock/receipt_list.html",
        {
            "page_obj": page,
            "etat": state,
            "can_receive": has_perm(request.user, "stock.receive"),
            "planned_count": Receipt.objects.filter(status=Receipt.Status.DRAFT).count(),
        },
    )


@requires("stock.view")
def receipt_detail(request, pk):
    receipt = get_object_or_404(Receipt.objects.select_related("created_by"), pk=pk)
    lines = list(receipt.lines.select_related("product"))
    planned = receipt.status == Receipt.Status.DRAFT
    context = {
        "receipt": receipt,
        "lines": lines,
        "events": queries.events_of(receipt),
        "can_receive": planned and has_perm(request.user, "stock.receive"),
    }
    return render(request, "web/stock/receipt_detail.html", context)


@action("stock.view")
def receipt_validate(request, pk):
    receipt = get_object_or_404(Receipt, pk=pk)
    perform(
        request,
        lambda: services.validate_receipt(receipt, by=request.user),
        _("Réception %(number)s validée : les marchandises sont entrées en stock.")
        % {"number": receipt.number},
    )
    return redirect("web:receipt_detail", pk=receipt.pk)


@action("stock.view")
def receipt_cancel(request, pk):
    receipt = get_object_or_404(Receipt, pk=pk)
    perform(
        request,
        lambda: services.cancel_receipt(receipt, by=request.user),
        _("Réception %(number)s annulée.") % {"number": receipt.number},
    )
    return redirect("web:receipt_detail", pk=receipt.pk)
