"""Customers: list, create, edit, the 360° view (documents chain, balance) and the statement."""

import datetime

from django.contrib import messages
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from comptoir.accounting import selectors as ledger_view
from comptoir.core import money
from comptoir.core.errors import DomainError
from comptoir.core.permissions import has_perm
from comptoir.insights import watch
from comptoir.parties import services
from comptoir.parties.models import Customer
from comptoir.payments import opening as payments_opening
from comptoir.payments.models import OpeningInvoice, Payment
from comptoir.web import forms, labels, queries
from comptoir.web.sorting import SortSpec
from comptoir.web.submissions import submitted_once
from comptoir.web.views import aftersales as aftersales_views
from comptoir.web.views import crm as crm_views
from comptoir.web.views import insights as insights_views
from comptoir.web.views import pricing as pricing_views
from comptoir.web.views.common import action, export_list, paginate, param, perform, requires, show_form_error
from comptoir.web.views.sales import order_progress


def _customer_fields(form) -> dict:
    """The typed fields; a blank VAT regime is left out so the service keeps or infers it."""
    return {key: value for key, value in form.cleaned_data.items() if key != "vat_regime" or value}


CUSTOMER_SORT = SortSpec(
    {
        "code": "code",
        "nom": Lower("name"),
        "ville": Lower("city"),
        "siren": "siren",
        "delai": "payment_days",
        "solde": "open_balance",
    }
)


def _customers(request):
    """The customers the list's search and filter select, in the order asked for, and those filters
    for the page."""
    q, active = param(request.GET, "q"), param(request.GET, "etat")
    customers, sort = CUSTOMER_SORT.apply(queries.customers(q, active), request.GET)
    return customers, {"q": q, "etat": active, "sort": sort}


@requires("customer.view")
def customer_list(request):
    customers, filters = _customers(request)
    page = paginate(request, customers)
    return render(request, "web/customers/list.html", {"page_obj": page, **filters})


CUSTOMER_COLUMNS = (
    (_l("Code"), lambda customer: customer.code),
    (_l("Raison sociale"), lambda customer: customer.name),
    (_l("Ville"), lambda customer: customer.city),
    (_l("SIREN"), lambda customer: customer.siren),
    (_l("Délai de paiement (jours)"), lambda customer: customer.payment_days),
    (_l("Fin de mois"), lambda customer: _("oui") if customer.payment_end_of_month else _("non")),
    # Summed in SQL: on SQLite that is binary floating point, so the cents are taken again here.
    (_l("Solde ouvert"), lambda customer: money.amount(customer.open_balance)),
    (_l("Actif"), lambda customer: _("oui") if customer.is_active else _("non")),
)


@requires("customer.view")
def customer_export(request, fmt):
    customers, _filters = _customers(request)
    return export_list(fmt, _("clients"), CUSTOMER_COLUMNS, customers)


@requires("customer.manage")
@submitted_once
def customer_create(request):
    form = forms.CustomerForm(request.POST or None, initial={"payment_days": services.default_payment_days()})
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.create_customer(by=request.user, **_customer_fields(form))
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(request, _("Client %(name)s créé.") % {"name": customer.name})
            return redirect("web:customer_detail", pk=customer.pk)
    return render(request, "web/customers/form.html", {"form": form, "customer": None})


@requires("customer.manage")
def customer_edit(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    initial = {name: getattr(customer, name) for name in forms.CustomerEditForm.base_fields}
    form = forms.CustomerEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_customer(customer, by=request.user, **_customer_fields(form))
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(request, _("Client %(name)s enregistré.") % {"name": form.cleaned_data["name"]})
            return redirect("web:customer_detail", pk=customer.pk)
    return render(request, "web/customers/form.html", {"form": form, "customer": customer})


@requires("customer.view")
def customer_detail(request, pk):
    customer = get_object_or_404(Customer.objects.prefetch_related("contacts", "delivery_addresses"), pk=pk)
    chain = queries.customer_chain(customer)
    for invoice in chain["invoices"]:
        invoice.payment_chip = labels.payment_chip(invoice)
    for order in chain["orders"]:
        order.progress = order_progress(order)
    context = {
        "customer": customer,
        "balance": queries.customer_open_balance(customer),
        "chain": chain,
        "events": queries.events_of(customer),
        "contact_form": forms.ContactForm(prefix="contact"),
        "address_form": forms.DeliveryAddressForm(prefix="address"),
        # Invoices of the previous system still due at the switch (payments.opening).
        "opening_invoices": payments_opening.open_opening_invoices(customer),
        "can_pay": has_perm(request.user, "payment.register"),
        "can_send_letters": has_perm(request.user, "reminder.send"),
        "methods": Payment.Method.choices,
    }
    context |= pricing_views.reviews_context(request.user, customer)
    if has_perm(request.user, "margin.view"):
        context |= aftersales_views.waterfall_panel(request, customer)
        assessment = watch.customer_assessment(customer)
        if assessment is not None and assessment.at_risk:
            context["at_risk"] = {
                "score": assessment.score,
                "action": insights_views.ACTION_LABELS[assessment.action],
                "reasons": insights_views.reasons_in_words(assessment),
            }
    context |= crm_views.customer_panel(request, customer)
    return render(request, "web/customers/detail.html", context)


@action("payment.register")
@submitted_once
def opening_invoice_pay(request, pk):
    """Record a payment for an invoice of the previous system (from the customer's page)."""
    item = get_object_or_404(OpeningInvoice, pk=pk)
    amount = param(request.POST, "amount", 30).replace(" ", "").replace("\u00a0", "").replace(",", ".")
    day = param(request.POST, "date", 10)
    try:
        date = datetime.date.fromisoformat(day) if day else None
    except ValueError:
        date = None
    perform(
        request,
        lambda: payments_opening.pay_opening_invoice(
            item, by=request.user, amount=amount, method=param(request.POST, "method", 10), date=date
        ),
        lambda payment: (
            _("Règlement %(number)s enregistré pour la facture reprise %(invoice)s.")
            % {"number": payment.number, "invoice": item.number}
        ),
    )
    return redirect("web:customer_detail", pk=item.customer_id)


@action("customer.view")
@submitted_once
def customer_add_contact(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    form = forms.ContactForm(request.POST, prefix="contact")
    if form.is_valid():
        perform(
            request,
            lambda: services.add_contact(customer, by=request.user, **form.cleaned_data),
            _("Contact ajouté."),
        )
    else:
        messages.error(request, _("Contact non ajouté : indiquez au moins un nom et un e-mail valide."))
    return redirect("web:customer_detail", pk=customer.pk)


@action("customer.view")
@submitted_once
def customer_add_address(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    form = forms.DeliveryAddressForm(request.POST, prefix="address")
    if form.is_valid():
        perform(
            request,
            lambda: services.add_delivery_address(customer, by=request.user, **form.cleaned_data),
            _("Adresse de livraison ajoutée."),
        )
    else:
        messages.error(
            request, _("Adresse non ajoutée : le libellé, l'adresse, le code postal et la ville sont requis.")
        )
    return redirect("web:customer_detail", pk=customer.pk)


@requires("customer.view")
def customer_statement(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    period = forms.PeriodForm(request.GET or None)
    date_from, date_to = period.period()
    statement = ledger_view.customer_statement(customer, date_from, date_to)
    return render(
        request,
        "web/customers/statement.html",
        {"customer": customer, "statement": statement, "period": period},
    )
