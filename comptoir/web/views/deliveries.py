"""Delivery notes: list, detail, validate (goods leave) and cancel."""

from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.core.permissions import has_perm
from comptoir.mailing import documents as mail_documents
from comptoir.returns import selectors as returns_view
from comptoir.stock import printing, services
from comptoir.stock import selectors as stock_view
from comptoir.stock.models import Delivery
from comptoir.web import queries
from comptoir.web.sorting import SortSpec
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
    return render(
        request,
        "web/deliveries/to_ship.html",
        {
            "orders": [
                {"o": row, "availability": row.availability, "label": AVAILABILITY[row.availability]}
                for row in orders
            ],
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
        "can_email": has_perm(user, mail_documents.sendable(delivery).permission),
        "cases": list(returns_view.delivery_discrepancies(delivery)) if has_perm(user, "return.view") else [],
        "can_declare": status == S.VALIDATED
        and delivery.kind == Delivery.Kind.SALE
        and has_perm(user, "return.manage"),
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
