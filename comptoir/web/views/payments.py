"""Payments received: list, the registration form with allocations to open invoices, detail."""

from django.contrib import messages
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.core.errors import DomainError
from comptoir.core.permissions import has_perm
from comptoir.parties.models import Customer
from comptoir.payments import refunding, services
from comptoir.payments import selectors as payment_view
from comptoir.payments.models import Payment, RefundRequest
from comptoir.web import forms, pickers, queries
from comptoir.web.sorting import SortSpec
from comptoir.web.submissions import submitted_once
from comptoir.web.views.common import action, export_list, paginate, param, perform, requires

PAYMENT_SORT = SortSpec(
    {
        "numero": "number",
        "client": Lower("customer__name"),
        "date": "date",
        "mode": "method",
        "reference": "reference",
        "montant": "amount",
    }
)


def _payments(request):
    """The payments the list's search and filters select, in the order asked for, and those filters
    for the page."""
    q, method = param(request.GET, "q"), param(request.GET, "mode")
    customer_id = queries.int_or_none(request.GET.get("client"))
    payments, sort = PAYMENT_SORT.apply(queries.payments(q, method, customer_id), request.GET)
    return payments, {"q": q, "mode": method, "client": customer_id, "sort": sort}


def _with_balance_due(invoices: list) -> list:
    for invoice in invoices:
        invoice.balance_due = invoice.total - invoice.amount_paid
        # An escompte still to be earned: what to pay, and by when (shown beside the invoice).
        invoice.discount_offer = (
            payment_view.early_discount_offer(invoice) if invoice.early_discount_until else None
        )
    return invoices


@requires("payment.view")
def payment_list(request):
    payments, filters = _payments(request)
    page = paginate(request, payments)
    return render(
        request,
        "web/payments/list.html",
        {"page_obj": page, "methods": Payment.Method.choices, **filters},
    )


PAYMENT_COLUMNS = (
    (_l("Numéro"), lambda payment: payment.number),
    (_l("Client"), lambda payment: payment.customer.name),
    (_l("Code client"), lambda payment: payment.customer.code),
    (_l("Date"), lambda payment: payment.date),
    (_l("Mode"), lambda payment: payment.get_method_display()),
    (_l("Référence"), lambda payment: payment.reference),
    (_l("Montant"), lambda payment: payment.amount),
    (
        _l("Factures réglées"),
        lambda payment: ", ".join(str(allocation.invoice) for allocation in payment.allocations.all()),
    ),
)


@requires("payment.view")
def payment_export(request, fmt):
    payments, _filters = _payments(request)
    return export_list(fmt, _("reglements"), PAYMENT_COLUMNS, payments)


@requires("payment.register")
@submitted_once
def payment_create(request):
    source = request.POST if request.method == "POST" else request.GET
    # The id the picker's list set (or a link's ?client=), else the text typed in the box.
    customer_id, error = queries.int_or_none(source.get("client")), ""
    if customer_id is None:
        try:
            customer_id = pickers.resolve("clients", source.get("client_texte"))
        except pickers.Unresolved as exc:
            error = exc.message
    if customer_id is None:
        return render(
            request,
            "web/payments/choose_customer.html",
            {"error": error, "typed": pickers.clean_text(source.get("client_texte"))},
        )
    customer = get_object_or_404(Customer, pk=customer_id)
    open_invoices = _with_balance_due(queries.open_invoices_of(customer))
    typed = {}
    initial = {"date": timezone.localdate(), "method": Payment.Method.TRANSFER}
    invoice_id = queries.int_or_none(request.GET.get("facture"))
    chosen = next((inv for inv in open_invoices if inv.pk == invoice_id), None)
    if chosen is not None:
        typed[chosen.pk] = forms.plain_decimal(chosen.balance_due)
        initial["amount"] = forms.plain_decimal(chosen.balance_due)
    form = forms.PaymentForm(request.POST or None, initial=initial)
    if request.method == "POST":
        typed = {inv.pk: request.POST.get(f"alloc_{inv.pk}", "") for inv in open_invoices}
        if not form.is_valid():
            messages.error(request, _("Le formulaire contient une erreur : vérifiez les champs signalés."))
        else:
            data = form.cleaned_data
            try:
                allocations = forms.allocations_from(request.POST, [inv.pk for inv in open_invoices])
                payment = services.register_payment(
                    customer,
                    by=request.user,
                    amount=data["amount"],
                    method=data["method"],
                    date=data["date"],
                    reference=data["reference"],
                    allocations=allocations,
                )
            except (forms.RowError, DomainError) as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Règlement %(number)s enregistré.") % {"number": payment.number})
                return redirect("web:payment_detail", pk=payment.pk)
    rows = [(inv, typed.get(inv.pk, "")) for inv in open_invoices]
    return render(request, "web/payments/form.html", {"form": form, "customer": customer, "rows": rows})


@requires("payment.view")
def payment_detail(request, pk):
    payment = get_object_or_404(
        Payment.objects.select_related("customer", "entry__journal", "created_by"), pk=pk
    )
    allocations = list(payment.allocations.select_related("invoice").order_by("id"))
    opening_allocations = list(payment.opening_allocations.select_related("opening_invoice").order_by("id"))
    write_offs = list(payment.write_offs.select_related("invoice").order_by("id"))
    reversal = getattr(payment, "reversal", None)
    allocated = sum((a.amount for a in [*allocations, *opening_allocations]), queries.ZERO)
    gained = sum((w.amount for w in write_offs if w.kind == "gain"), queries.ZERO)
    unallocated = queries.ZERO if reversal else payment.amount - allocated - gained
    rows = []
    if unallocated > 0 and has_perm(request.user, "payment.register"):
        rows = [(invoice, "") for invoice in _with_balance_due(queries.open_invoices_of(payment.customer))]
    context = {
        "payment": payment,
        "allocations": allocations,
        "opening_allocations": opening_allocations,
        "write_offs": write_offs,
        "reversal": reversal,
        "unallocated": unallocated,
        "rows": rows,
        "entry_lines": list(payment.entry.lines.select_related("account").order_by("id")),
        "events": queries.events_of(payment),
    }
    return render(request, "web/payments/detail.html", context)


@action("payment.view")
@submitted_once
def payment_allocate(request, pk):
    """Allocate what a payment left on the customer's account to open invoices."""
    payment = get_object_or_404(Payment.objects.select_related("customer"), pk=pk)
    open_ids = [invoice.pk for invoice in queries.open_invoices_of(payment.customer)]
    try:
        services.allocate_payment(payment, forms.allocations_from(request.POST, open_ids), by=request.user)
    except (forms.RowError, DomainError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Règlement %(number)s affecté.") % {"number": payment.number})
    return redirect("web:payment_detail", pk=payment.pk)


# --- Refunds above the threshold: another person approves (payments.refunding) -------------------------


@action("payment.view")
@submitted_once
def refund_request_approve(request, pk):
    """Approve someone else's refund request, which pays it (a double submit pays once)."""
    asked = get_object_or_404(RefundRequest, pk=pk)
    perform(
        request,
        lambda: refunding.approve_refund(asked, by=request.user, reason=param(request.POST, "reason", 2000)),
        lambda refund: _("Remboursement %(number)s approuvé et payé.") % {"number": refund.number},
    )
    return redirect("web:invoice_detail", pk=asked.credit_note_id)


@action("payment.view")
def refund_request_refuse(request, pk):
    asked = get_object_or_404(RefundRequest, pk=pk)
    perform(
        request,
        lambda: refunding.refuse_refund(asked, by=request.user, reason=param(request.POST, "reason", 2000)),
        _("Demande de remboursement refusée."),
    )
    return redirect("web:invoice_detail", pk=asked.credit_note_id)
