"""Quotes and orders: lists, the line editor forms, detail pages and their action buttons."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.assistant import services as assistant
from comptoir.billing import services as billing
from comptoir.billing.models import Invoice
from comptoir.core import dates
from comptoir.core.permissions import has_perm
from comptoir.core.taxes import document_totals
from comptoir.crm.models import Opportunity
from comptoir.insights import selectors as margin_view
from comptoir.mailing import documents as mail_documents
from comptoir.parties.models import Customer
from comptoir.payments import selectors as payment_view
from comptoir.sales import printing, progress, services
from comptoir.sales.models import Order, OrderLine, Quote
from comptoir.stock import selectors as stock_view
from comptoir.stock import services as stock
from comptoir.web import findings as findings_view
from comptoir.web import forms, labels, queries
from comptoir.web.sorting import SortSpec
from comptoir.web.submissions import submitted_once
from comptoir.web.views import pricing as pricing_views
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
from comptoir.web.views.lines import editor_context, rows_from_lines, rows_with_ids
from comptoir.web.views.revisions import amendments_panel, versions_panel
from comptoir.web.views.schedules import schedule_panel

ZERO = Decimal("0")


def taxes_of(lines, adjustments=()) -> list[dict]:
    """VAT breakdown of a document's lines (and of its allowances and charges, `core.taxes.Adjustment`)
    as the services compute it, with the legal mention of exempt categories (reverse charge, intra-EU
    supply, export)."""
    totals = document_totals(
        ((line.net_amount, line.vat_rate, line.vat_category) for line in lines), adjustments
    )
    mentions = {(line.vat_rate, line.vat_category): line.vat_exemption_reason for line in lines}
    return [
        {
            "rate": t.rate,
            "base": t.base,
            "amount": t.amount,
            "mention": mentions.get((t.rate, t.category), ""),
        }
        for t in totals.taxes
    ]


def _parse_document(request, form):
    """(customer, lines) from a posted quote/order form, or None after showing why not."""
    rows = rows_with_ids(forms.sales_rows(request.POST))
    if not form.is_valid():
        messages.error(request, _("Le formulaire contient une erreur : vérifiez les champs signalés."))
        return None, rows
    customer = Customer.objects.filter(pk=form.cleaned_data["customer"]).first()
    if customer is None:
        form.add_error("customer", _("Choisissez un client."))
        return None, rows
    try:
        lines = forms.sales_lines(rows)
    except forms.RowError as exc:
        messages.error(request, exc.message)
        return None, rows
    return (customer, lines), rows


# --- Quotes -------------------------------------------------------------------------------------


# The states a quote list filters on: the stored ones, with "expired" beside "sent" (derived, see
# `Quote.is_expired`).
QUOTE_STATUSES = [
    *[(value, label) for value, label in Quote.Status.choices if value != Quote.Status.SENT],
    (Quote.Status.SENT, _l("Envoyé (en attente)")),
    (queries.EXPIRED, _l("Expiré")),
]
QUOTE_SORT = SortSpec(
    {
        "numero": "number",
        "client": Lower("customer__name"),
        "date": "date",
        "validite": "valid_until",
        "etat": "status",
        "total_ht": "total_untaxed",
        "total": "total",
    }
)


def _quotes(request):
    """The quotes the list's search and filters select, in the order asked for, and those filters for
    the page."""
    q, status = param(request.GET, "q"), param(request.GET, "etat")
    customer_id = queries.int_or_none(request.GET.get("client"))
    quotes, sort = QUOTE_SORT.apply(queries.quotes(q, status, customer_id), request.GET)
    return quotes, {"q": q, "etat": status, "client": customer_id, "sort": sort}


@requires("quote.view")
def quote_list(request):
    quotes, filters = _quotes(request)
    page = paginate(request, quotes)
    return render(
        request,
        "web/quotes/list.html",
        {"page_obj": page, "statuses": QUOTE_STATUSES, **filters},
    )


def _order_number(quote) -> str:
    """The number of the order the quote became, or "" (a quote has no order until it is accepted: the
    reverse one-to-one then raises rather than answer None)."""
    order = getattr(quote, "order", None)
    return order.number if order else ""


QUOTE_COLUMNS = (
    (_l("Numéro"), lambda quote: quote.number),
    (_l("Client"), lambda quote: quote.customer.name),
    (_l("Code client"), lambda quote: quote.customer.code),
    (_l("Date"), lambda quote: quote.date),
    (_l("Valable jusqu'au"), lambda quote: quote.valid_until),
    (_l("État"), lambda quote: _("Expiré") if quote.expired else quote.get_status_display()),
    (_l("Total HT"), lambda quote: quote.total_untaxed),
    (_l("Total TTC"), lambda quote: quote.total),
    (_l("Commande"), _order_number),
)


@requires("quote.view")
def quote_export(request, fmt):
    quotes, _filters = _quotes(request)
    return export_list(fmt, _("devis"), QUOTE_COLUMNS, quotes)


@requires("quote.manage")
@submitted_once
def quote_create(request):
    initial = {"customer": queries.int_or_none(request.GET.get("client"))}
    # « Créer un devis » from an opportunity (crm): its customer, and the link kept in a hidden field.
    opportunity = Opportunity.objects.filter(pk=queries.int_or_none(request.GET.get("opportunite"))).first()
    if opportunity is not None:
        initial |= {"customer": opportunity.customer_id, "opportunity": opportunity.pk}
    form = forms.QuoteForm(request.POST or None, initial=initial)
    rows = None
    if request.method == "POST":
        parsed, rows = _parse_document(request, form)
        if parsed:
            customer, lines = parsed
            data = form.cleaned_data
            opportunity = (
                Opportunity.objects.select_related("customer").filter(pk=data["opportunity"]).first()
                if data.get("opportunity")
                else None
            )
            quote, ok = perform(
                request,
                lambda: services.create_quote(
                    customer,
                    lines,
                    by=request.user,
                    date=data["date"],
                    valid_until=data["valid_until"],
                    note=data["note"],
                    opportunity=opportunity,
                ),
                lambda quote: _("Devis %(number)s créé.") % {"number": quote.number},
            )
            if ok:
                return redirect("web:quote_detail", pk=quote.pk)
    context = {"form": form, "quote": None, "opportunity": opportunity, **editor_context(rows)}
    return render(request, "web/quotes/form.html", context)


@requires("quote.manage")
def quote_edit(request, pk):
    quote = get_object_or_404(Quote.objects.select_related("customer"), pk=pk)
    return _edit_lines(
        request,
        quote,
        detail="web:quote_detail",
        template="web/quotes/edit.html",
        context_name="quote",
        replace=services.replace_quote_lines,
        locked=_("Le devis %(number)s n'est plus modifiable : seuls les brouillons le sont."),
        saved=_("Lignes du devis %(number)s enregistrées."),
    )


def _edit_lines(request, document, *, detail, template, context_name, replace, locked, saved):
    """The line editor of a draft quote or order: the same rows, parsing and service call for both."""
    if document.status != type(document).Status.DRAFT:
        messages.error(request, locked % {"number": document.number})
        return redirect(detail, pk=document.pk)
    rows = rows_from_lines(document.lines.select_related("product"))
    if request.method == "POST":
        rows = rows_with_ids(forms.sales_rows(request.POST))
        try:
            lines = forms.sales_lines(rows)
        except forms.RowError as exc:
            messages.error(request, exc.message)
        else:
            _result, ok = perform(
                request,
                lambda: replace(document, lines, by=request.user),
                saved % {"number": document.number},
            )
            if ok:
                return redirect(detail, pk=document.pk)
    return render(request, template, {context_name: document, **editor_context(rows)})


@requires("quote.view")
def quote_detail(request, pk):
    quote = get_object_or_404(Quote.objects.select_related("customer", "created_by", "opportunity"), pk=pk)
    lines = list(quote.lines.select_related("product"))
    order = Order.objects.filter(quote=quote).first()
    user, status, S = request.user, quote.status, Quote.Status
    expired = quote.is_expired(dates.today())
    context = {
        "quote": quote,
        "lines": lines,
        "taxes": taxes_of(lines),
        "order": order,
        "expired": expired,
        "renewals": list(quote.renewals.order_by("id")),
        "events": queries.events_of(quote),
        "can_edit": status == S.DRAFT and has_perm(user, "quote.manage"),
        "can_send": may(user, Quote, status, S.SENT, "quote.send"),
        # An expired quote can no longer be accepted (accept_quote refuses it): renewing it is the way on.
        "can_accept": not expired and may(user, Quote, status, S.ACCEPTED, "quote.accept"),
        "can_renew": status != S.DRAFT and has_perm(user, "quote.manage"),
        "can_refuse": may(user, Quote, status, S.REFUSED, "quote.accept"),
        "can_cancel": may(user, Quote, status, S.CANCELLED, "quote.manage"),
        "can_email": has_perm(user, mail_documents.sendable(quote).permission),
        "panel": versions_panel(quote, user),
    }
    context.update(pricing_views.discount_context(quote, user))
    return render(request, "web/quotes/detail.html", context)


@requires("quote.view")
def quote_pdf(request, pk):
    quote = get_object_or_404(Quote.objects.select_related("customer"), pk=pk)
    return file_download(request, lambda: printing.quote_pdf(quote), "web:quote_detail", quote.pk)


@action("quote.manage")
@submitted_once
def quote_renew(request, pk):
    """A new draft with the quote's lines (an expired offer made again, or a quote used as a model)."""
    quote = get_object_or_404(Quote, pk=pk)
    renewal, ok = perform(
        request,
        lambda: services.renew_quote(quote, by=request.user),
        lambda renewal: (
            _("Devis %(new)s créé à partir du devis %(old)s : vérifiez les prix, puis envoyez-le.")
            % {"new": renewal.number, "old": quote.number}
        ),
    )
    return redirect("web:quote_detail", pk=renewal.pk if ok else quote.pk)


@action("quote.view")
def quote_send(request, pk):
    quote = get_object_or_404(Quote, pk=pk)
    perform(
        request,
        lambda: services.send_quote(quote, by=request.user),
        _("Devis %(number)s envoyé.") % {"number": quote.number},
    )
    return redirect("web:quote_detail", pk=quote.pk)


@action("quote.view")
@submitted_once
def quote_accept(request, pk):
    quote = get_object_or_404(Quote, pk=pk)
    order, ok = perform(
        request,
        lambda: services.accept_quote(quote, by=request.user),
        lambda order: (
            _("Devis %(quote)s accepté : commande %(order)s créée.")
            % {"quote": quote.number, "order": order.number}
        ),
    )
    if ok:
        return redirect("web:order_detail", pk=order.pk)
    return redirect("web:quote_detail", pk=quote.pk)


@action("quote.view")
def quote_refuse(request, pk):
    quote = get_object_or_404(Quote, pk=pk)
    reason = param(request.POST, "reason", 200)
    perform(
        request,
        lambda: services.refuse_quote(quote, by=request.user, reason=reason),
        _("Devis %(number)s marqué comme refusé.") % {"number": quote.number},
    )
    return redirect("web:quote_detail", pk=quote.pk)


@action("quote.view")
def quote_cancel(request, pk):
    quote = get_object_or_404(Quote, pk=pk)
    reason = param(request.POST, "reason", 200)
    perform(
        request,
        lambda: services.cancel_quote(quote, by=request.user, reason=reason),
        _("Devis %(number)s annulé.") % {"number": quote.number},
    )
    return redirect("web:quote_detail", pk=quote.pk)


# --- Orders -------------------------------------------------------------------------------------


def order_progress(order) -> dict:
    """Delivery progress (goods lines) and invoicing progress (all lines), with French labels."""
    lines = list(order.lines.all())
    goods = [line for line in lines if line.product.is_stocked]
    delivery = progress.delivery_progress(goods) if goods else None
    invoicing = progress.invoicing_progress(lines)
    return {
        "delivery": delivery,
        "delivery_label": labels.DELIVERY_PROGRESS.get(delivery, _("Sans livraison")),
        "invoicing": invoicing,
        "invoicing_label": labels.INVOICING_PROGRESS[invoicing],
    }


ORDER_SORT = SortSpec(
    {
        "numero": "number",
        "client": Lower("customer__name"),
        "date": "date",
        "etat": "status",
        "total_ht": "total_untaxed",
    }
)


def _orders(request):
    """The orders the list's search and filters select, in the order asked for, and those filters for
    the page."""
    q, status = param(request.GET, "q"), param(request.GET, "etat")
    customer_id = queries.int_or_none(request.GET.get("client"))
    orders, sort = ORDER_SORT.apply(queries.orders(q, status, customer_id), request.GET)
    return orders, {"q": q, "etat": status, "client": customer_id, "sort": sort}


@requires("order.view")
def order_list(request):
    orders, filters = _orders(request)
    page = paginate(request, orders)
    page.object_list = [(order, order_progress(order)) for order in page.object_list]
    return render(
        request,
        "web/orders/list.html",
        {"page_obj": page, "statuses": Order.Status.choices, **filters},
    )


def _progress_label(key: str):
    """A column of an order's delivery or invoicing progress; none for a cancelled order."""

    def value(order):
        return "" if order.status == Order.Status.CANCELLED else str(order_progress(order)[key])

    return value


ORDER_COLUMNS = (
    (_l("Numéro"), lambda order: order.number),
    (_l("Client"), lambda order: order.customer.name),
    (_l("Code client"), lambda order: order.customer.code),
    (_l("Référence client"), lambda order: order.customer_reference),
    (_l("Date"), lambda order: order.date),
    (_l("État"), lambda order: order.get_status_display()),
    (_l("Livraison"), _progress_label("delivery_label")),
    (_l("Facturation"), _progress_label("invoicing_label")),
    (_l("Total HT"), lambda order: order.total_untaxed),
    (_l("Total TTC"), lambda order: order.total),
    (_l("Devis"), lambda order: order.quote.number if order.quote else ""),
)


@requires("order.view")
def order_export(request, fmt):
    orders, _filters = _orders(request)
    return export_list(fmt, _("commandes"), ORDER_COLUMNS, orders)


@requires("order.manage")
@submitted_once
def order_create(request):
    initial = {"customer": queries.int_or_none(request.GET.get("client"))}
    form = forms.OrderForm(request.POST or None, initial=initial)
    rows = None
    if request.method == "POST":
        parsed, rows = _parse_document(request, form)
        if parsed:
            customer, lines = parsed
            data = form.cleaned_data
            order, ok = perform(
                request,
                lambda: services.create_order(
                    customer,
                    lines,
                    by=request.user,
                    date=data["date"],
                    customer_reference=data["customer_reference"],
                ),
                lambda order: _("Commande %(number)s créée.") % {"number": order.number},
            )
            if ok:
                return redirect("web:order_detail", pk=order.pk)
    return render(request, "web/orders/form.html", {"form": form, "order": None, **editor_context(rows)})


@requires("order.manage")
def order_edit(request, pk):
    order = get_object_or_404(Order.objects.select_related("customer"), pk=pk)
    return _edit_lines(
        request,
        order,
        detail="web:order_detail",
        template="web/orders/edit.html",
        context_name="order",
        replace=services.replace_order_lines,
        locked=_("La commande %(number)s n'est plus modifiable : seuls les brouillons le sont."),
        saved=_("Lignes de la commande %(number)s enregistrées."),
    )


@requires("order.view")
def order_pdf(request, pk):
    order = get_object_or_404(Order.objects.select_related("customer", "delivery_address", "quote"), pk=pk)
    return file_download(request, lambda: printing.order_pdf(order), "web:order_detail", order.pk)


@requires("order.view")
def order_detail(request, pk):
    order = get_object_or_404(Order.objects.select_related("customer", "quote", "delivery_address"), pk=pk)
    lines = list(order.lines.select_related("product"))
    goods = [line for line in lines if line.product.is_stocked]
    levels = {lvl.product.pk: lvl for lvl in stock_view.stock_levels({line.product for line in goods})}
    planned = queries.planned_in_draft_deliveries(order)
    rows = []
    for line in lines:
        remaining = line.quantity - line.quantity_delivered if line.product.is_stocked else ZERO
        to_plan = max(remaining - planned.get(line.pk, ZERO), ZERO)
        level = levels.get(line.product_id)
        rows.append(
            {
                "line": line,
                "remaining": remaining,
                "to_plan": to_plan,
                "to_plan_input": forms.plain_decimal(to_plan, 0),
                "level": level,
                "short": bool(level and remaining > 0 and remaining > level.on_hand),
            }
        )
    user, status, S = request.user, order.status, Order.Status
    confirmed = status == S.CONFIRMED
    invoiceable = billing.invoiceable_lines(order) if confirmed else []
    schedule = schedule_panel(order, user)
    can_cancel = may(user, Order, status, S.CANCELLED, "order.cancel")
    cancel_refusal = services.cancel_refusal(order) if can_cancel else None
    context = {
        "order": order,
        "rows": rows,
        "taxes": taxes_of(lines),
        "progress": order_progress(order),
        "deliveries": list(order.deliveries.order_by("date", "id")),
        "invoices": list(payment_view.with_amount_paid(order.invoices.all()).order_by("id")),
        "events": queries.events_of(order),
        "can_edit": status == S.DRAFT and has_perm(user, "order.manage"),
        "can_confirm": may(user, Order, status, S.CONFIRMED, "order.confirm"),
        "can_cancel": can_cancel and cancel_refusal is None,
        "can_email": has_perm(user, mail_documents.sendable(order).permission),
        # The state and the role allow it, the shipped goods or the invoices do not: say why, and how.
        "cancel_refusal": cancel_refusal.message if can_cancel and cancel_refusal else "",
        "can_deliver": confirmed
        and has_perm(user, "delivery.manage")
        and any(r["to_plan"] > 0 for r in rows),
        "can_invoice": confirmed
        and has_perm(user, "invoice.manage")
        and bool(invoiceable)
        and not schedule["status"].billed_by_schedule,
        "invoiceable_count": len(invoiceable),
        "schedule": schedule,
        "findings": findings_view.panel(assistant.findings_for_order(order)),
        "amendments": amendments_panel(order, user),
        **pricing_views.discount_context(order, user),
    }
    if order.invoices.filter(status=Invoice.Status.ISSUED).exists() and has_perm(user, "margin.view"):
        context["margins"] = margin_view.order_margins(order)
    return render(request, "web/orders/detail.html", context)


@action("order.view")
def order_confirm(request, pk):
    order = get_object_or_404(Order, pk=pk)
    perform(
        request,
        lambda: services.confirm_order(order, by=request.user),
        _("Commande %(number)s confirmée.") % {"number": order.number},
    )
    return redirect("web:order_detail", pk=order.pk)


@action("order.view")
def order_cancel(request, pk):
    order = get_object_or_404(Order, pk=pk)
    reason = param(request.POST, "reason", 200)
    perform(
        request,
        lambda: services.cancel_order(order, by=request.user, reason=reason),
        _("Commande %(number)s annulée.") % {"number": order.number},
    )
    return redirect("web:order_detail", pk=order.pk)


@action("order.view")
@submitted_once
def order_deliver(request, pk):
    """Prepare a delivery note: everything still to deliver, or the quantities typed per line."""
    order = get_object_or_404(Order, pk=pk)
    lines = None
    if request.POST.get("mode") == "partiel":
        lines = []
        for line in (
            OrderLine.objects.filter(order=order).select_related("product").order_by("position", "id")
        ):
            raw = request.POST.get(f"qty_{line.pk}", "")
            try:
                qty = forms.parse_decimal(raw, forms.QUANTITY)
            except ValidationError as exc:
                messages.error(
                    request,
                    _("%(sku)s : %(error)s") % {"sku": line.product.sku, "error": " ".join(exc.messages)},
                )
                return redirect("web:order_detail", pk=order.pk)
            if qty:
                lines.append({"order_line": line.pk, "quantity": qty})
        if not lines:
            messages.error(request, _("Indiquez au moins une quantité à livrer."))
            return redirect("web:order_detail", pk=order.pk)
    delivery, ok = perform(
        request,
        lambda: stock.create_delivery(order, lines, by=request.user),
        lambda delivery: _("Bon de livraison %(number)s préparé.") % {"number": delivery.number},
    )
    if ok:
        return redirect("web:delivery_detail", pk=delivery.pk)
    return redirect("web:order_detail", pk=order.pk)


@action("order.view")
@submitted_once
def order_invoice(request, pk):
    order = get_object_or_404(Order, pk=pk)
    invoice, ok = perform(
        request,
        lambda: billing.create_invoice_from_order(order, by=request.user),
        _("Brouillon de facture créé : vérifiez-le puis émettez-le."),
    )
    if ok:
        return redirect("web:invoice_detail", pk=invoice.pk)
    return redirect("web:order_detail", pk=order.pk)
