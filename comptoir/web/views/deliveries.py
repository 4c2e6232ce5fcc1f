"""Delivery notes: list, detail, edit before shipping, picking lists, validate (goods leave) and cancel."""

from django.contrib import messages
from django.db.models import Count
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.core.money import ZERO
from comptoir.core.permissions import has_perm
from comptoir.mailing import documents as mail_documents
from comptoir.returns import selectors as returns_view
from comptoir.stock import editing, printing, services
from comptoir.stock import selectors as stock_view
from comptoir.stock.models import Delivery
from comptoir.web import queries
from comptoir.web.forms import plain_decimal
from comptoir.web.sorting import SortSpec
from comptoir.web.views.aftersales import logistics_form
from comptoir.web.views.common import (
    action,
    export_list,
    file_download,
    may,
    paginate,
    param,
    perform,
    requires,
)

DELIVERY_SORT = SortSpec(
    {
        "numero": "number",
        "client": Lower("order__customer__name"),
        "commande": "order__number",
        "date": "date",
        "etat": "status",
    }
)


def _deliveries(request):
    """The delivery notes the list's search and filters select, in the order asked for, and those
    filters for the page."""
    q, status = param(request.GET, "q"), param(request.GET, "etat")
    customer_id = queries.int_or_none(request.GET.get("client"))
    deliveries, sort = DELIVERY_SORT.apply(queries.deliveries(q, status, customer_id), request.GET)
    return deliveries, {"q": q, "etat": status, "client": customer_id, "sort": sort}


AVAILABILITY = {
    "full": _l("Tout disponible"),
    "partial": _l("Partiellement disponible"),
    "none": _l("Rien en stock"),
}


@requires("delivery.view")
def to_ship(request):
    """The warehouse's work list: confirmed orders with goods not yet on a delivery note, oldest first,
    with what the stock on hand covers (first come, first served) and a button to prepare the note."""
    orders = stock_view.orders_to_ship()
    # The notes already prepared, waiting to be picked and shipped: their picking lists print from here.
    drafts = (
        Delivery.objects.filter(status=Delivery.Status.DRAFT)
        .select_related("order__customer")
        .annotate(line_count=Count("lines"))
        .order_by("date", "id")
    )
    return render(
        request,
        "web/deliveries/to_ship.html",
        {
            "orders": [
                {"o": row, "availability": row.availability, "label": AVAILABILITY[row.availability]}
                for row in orders
            ],
            "drafts": list(drafts),
            "can_prepare": has_perm(request.user, "delivery.manage"),
        },
    )


@requires("delivery.view")
def delivery_list(request):
    deliveries, filters = _deliveries(request)
    page = paginate(request, deliveries)
    return render(
        request,
        "web/deliveries/list.html",
        {"page_obj": page, "statuses": Delivery.Status.choices, **filters},
    )


DELIVERY_COLUMNS = (
    (_l("Numéro"), lambda delivery: delivery.number),
    (_l("Client"), lambda delivery: delivery.order.customer.name),
    (_l("Code client"), lambda delivery: delivery.order.customer.code),
    (_l("Commande"), lambda delivery: delivery.order.number),
    (_l("Date"), lambda delivery: delivery.date),
    (_l("État"), lambda delivery: delivery.get_status_display()),
)


@requires("delivery.view")
def delivery_export(request, fmt):
    deliveries, _filters = _deliveries(request)
    return export_list(fmt, _("livraisons"), DELIVERY_COLUMNS, deliveries)


@requires("delivery.view")
def delivery_pdf(request, pk):
    delivery = get_object_or_404(
        Delivery.objects.select_related("order__customer", "order__delivery_address"), pk=pk
    )
    return file_download(request, lambda: printing.delivery_pdf(delivery), "web:delivery_detail", delivery.pk)


def _for_picking():
    return Delivery.objects.select_related("order__customer", "order__delivery_address").order_by(
        "date", "id"
    )


@requires("delivery.view")
def picking_list(request, pk):
    """The picking list of one prepared delivery note (PDF)."""
    delivery = get_object_or_404(_for_picking(), pk=pk)
    return file_download(
        request, lambda: printing.picking_pdf([delivery]), "web:delivery_detail", delivery.pk
    )


@requires("delivery.view")
def picking_lists(request):
    """The picking lists of the prepared notes ticked on « À expédier » (all of them when none is)."""
    ids = [int(value) for value in request.GET.getlist("bl") if value.isdigit()][:200]
    drafts = _for_picking().filter(status=Delivery.Status.DRAFT)
    deliveries = list(drafts.filter(pk__in=ids) if ids else drafts[:200])
    if not deliveries:
        messages.info(request, _("Aucun bon de livraison à préparer."))
        return redirect("web:to_ship")
    return file_download(request, lambda: printing.picking_pdf(deliveries), "web:to_ship")


@requires("delivery.manage")
def delivery_edit(request, pk):
    """Lower the quantities of a prepared note (stock short on the shelves) or take lines off, before it
    ships; the service refuses a raise and a note left empty."""
    delivery = get_object_or_404(Delivery.objects.select_related("order__customer"), pk=pk)
    if delivery.status != Delivery.Status.DRAFT:
        messages.error(
            request,
            _("Le bon %(number)s n'est plus modifiable : seuls les bons à préparer le sont.")
            % {"number": delivery.number},
        )
        return redirect("web:delivery_detail", pk=delivery.pk)
    lines = list(delivery.lines.select_related("product", "order_line").order_by("id"))
    levels = {lvl.product.pk: lvl for lvl in stock_view.stock_levels({line.product for line in lines})}
    typed = {line.pk: param(request.POST, f"qte_{line.pk}", 30) for line in lines}
    if request.method == "POST":
        quantities = {line.pk: typed[line.pk] or "0" for line in lines}
        if request.POST.get("au_stock") == "1":  # every short line down to what the shelves hold
            quantities = {
                line.pk: min(line.quantity, max(levels[line.product_id].on_hand, ZERO))
                if line.product_id in levels
                else line.quantity
                for line in lines
            }
        _done, ok = perform(
            request,
            lambda: editing.edit_delivery(delivery, quantities, by=request.user),
            _("Bon de livraison %(number)s modifié.") % {"number": delivery.number},
        )
        if ok:
            return redirect("web:delivery_detail", pk=delivery.pk)
    rows = [
        {
            "line": line,
            "level": levels.get(line.product_id),
            "short": bool(levels.get(line.product_id) and line.quantity > levels[line.product_id].on_hand),
            "typed": typed[line.pk] if request.method == "POST" else plain_decimal(line.quantity, 0),
        }
        for line in lines
    ]
    return render(
        request,
        "web/deliveries/edit.html",
        {
            "delivery": delivery,
            "order": delivery.order,
            "rows": rows,
            "any_short": any(r["short"] for r in rows),
        },
    )


@requires("delivery.view")
def delivery_detail(request, pk):
    delivery = get_object_or_404(
        Delivery.objects.select_related("order__customer", "order__delivery_address"), pk=pk
    )
    lines = list(delivery.lines.select_related("product", "order_line"))
    levels = {}
    if delivery.status == Delivery.Status.DRAFT:
        levels = {lvl.product.pk: lvl for lvl in stock_view.stock_levels({line.product for line in lines})}
    rows = [
        {
            "line": line,
            "level": levels.get(line.product_id),
            "short": bool(levels.get(line.product_id) and line.quantity > levels[line.product_id].on_hand),
        }
        for line in lines
    ]
    invoices = (
        delivery.order.invoices.filter(lines__delivery_line__delivery=delivery).distinct().order_by("id")
    )
    user, status, S = request.user, delivery.status, Delivery.Status
    context = {
        "delivery": delivery,
        "order": delivery.order,
        "rows": rows,
        "invoices": list(invoices),
        "events": queries.events_of(delivery),
        "can_validate": may(user, Delivery, status, S.VALIDATED, "delivery.validate"),
        "can_cancel": may(user, Delivery, status, S.CANCELLED, "delivery.manage"),
        "can_edit": status == S.DRAFT and has_perm(user, "delivery.manage"),
        "can_email": has_perm(user, mail_documents.sendable(delivery).permission),
        "cases": list(returns_view.delivery_discrepancies(delivery)) if has_perm(user, "return.view") else [],
        "can_declare": status == S.VALIDATED
        and delivery.kind == Delivery.Kind.SALE
        and has_perm(user, "return.manage"),
        "can_set_logistics": status != S.CANCELLED and has_perm(user, "delivery.manage"),
        "logistics_form": logistics_form(delivery),
    }
    return render(request, "web/deliveries/detail.html", context)


@action("delivery.view")
def delivery_validate(request, pk):
    delivery = get_object_or_404(Delivery, pk=pk)
    perform(
        request,
        lambda: services.validate_delivery(delivery, by=request.user),
        _("Livraison %(number)s validée : les marchandises sont sorties du stock.")
        % {"number": delivery.number},
    )
    return redirect("web:delivery_detail", pk=delivery.pk)


@action("delivery.view")
def delivery_cancel(request, pk):
    delivery = get_object_or_404(Delivery, pk=pk)
    reason = param(request.POST, "reason", 200)
    perform(
        request,
        lambda: services.cancel_delivery(delivery, by=request.user, reason=reason),
        _("Bon de livraison %(number)s annulé.") % {"number": delivery.number},
    )
    return redirect("web:delivery_detail", pk=delivery.pk)
