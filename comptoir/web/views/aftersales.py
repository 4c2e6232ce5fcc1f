"""Time entries and after-sales tickets (aftersales), a delivery note's logistics cost (stock.logistics) and
the customer's real-margin panel (insights.real_margin). Views parse and call the services."""

import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from comptoir.aftersales import selectors, services
from comptoir.aftersales.models import Ticket, TimeEntry
from comptoir.core import dates, workflow
from comptoir.core.errors import DomainError
from comptoir.core.permissions import has_perm
from comptoir.crm.models import Opportunity
from comptoir.insights import real_margin
from comptoir.parties.models import Customer
from comptoir.returns.models import ReturnCase
from comptoir.sales.models import Order, Quote
from comptoir.stock import logistics
from comptoir.stock.models import Delivery
from comptoir.web import charts, forms
from comptoir.web.aftersales_forms import (
    LogisticsForm,
    TicketCostsForm,
    TicketForm,
    TicketTimeForm,
    TimeCorrectionForm,
    TimeEntryForm,
)
from comptoir.web.submissions import submitted_once
from comptoir.web.views.common import action, paginate, param, perform, requires, show_form_error

# The prefix of a document number → the link of a time entry it names.
DOCUMENT_PREFIXES = {
    "DEV": ("quote", Quote),
    "CMD": ("order", Order),
    "RET": ("return_case", ReturnCase),
    "SAV": ("ticket", Ticket),
    "OPP": ("opportunity", Opportunity),
}


def _document(number: str) -> dict | None:
    """The link a typed number names ({"order": …}), {} when empty, None when it names nothing."""
    number = number.strip().upper()
    if not number:
        return {}
    kind = DOCUMENT_PREFIXES.get(number.split("-", 1)[0])
    if kind is None:
        return None
    name, model = kind
    found = model.objects.filter(number=number).first()
    return None if found is None else {name: found}


# --- time --------------------------------------------------------------------------------------------------


@requires("time.record")
def time_list(request):
    customer_id = param(request.GET, "client", 12)
    entries = selectors.time_entries(
        request.user, customer_id=int(customer_id) if customer_id.isdigit() else None
    )
    initial = {"customer": int(customer_id)} if customer_id.isdigit() else {}
    return render(
        request,
        "web/aftersales/time_list.html",
        {
            "page_obj": paginate(request, entries),
            "form": TimeEntryForm(initial=initial),
            "everyone": has_perm(request.user, "time.manage"),
        },
    )


@requires("time.record")
@submitted_once
def time_record(request):
    form = TimeEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        links = _document(data["document"])
        if links is None:
            form.add_error(
                "document", _("Aucun devis, commande, dossier de retour ou ticket ne porte ce numéro.")
            )
        else:
            customer = get_object_or_404(Customer, pk=data["customer"])
            try:
                services.record_time(
                    by=request.user,
                    customer=customer,
                    minutes=data["minutes"],
                    activity=data["activity"],
                    date=data["date"],
                    note=data["note"],
                    **links,
                )
            except DomainError as exc:
                show_form_error(request, form, exc)
            else:
                messages.success(request, _("Temps enregistré."))
                return redirect("web:time_list")
    return render(request, "web/aftersales/time_form.html", {"form": form, "entry": None})


@requires("time.record")
@submitted_once
def time_edit(request, pk):
    entry = get_object_or_404(selectors.time_entries(request.user), pk=pk)
    initial = {"date": entry.date, "minutes": entry.minutes, "activity": entry.activity, "note": entry.note}
    form = TimeCorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_time(entry, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(request, _("Saisie de temps corrigée."))
            return redirect("web:time_list")
    return render(request, "web/aftersales/time_form.html", {"form": form, "entry": entry})


# --- tickets -----------------------------------------------------------------------------------------------


@requires("ticket.view")
def ticket_list(request):
    status = param(request.GET, "etat", 12)
    status = status if status in Ticket.Status.values else None
    customer_id = param(request.GET, "client", 12)
    tickets = selectors.tickets(
        customer_id=int(customer_id) if customer_id.isdigit() else None, status=status
    )
    return render(
        request,
        "web/aftersales/ticket_list.html",
        {"page_obj": paginate(request, tickets), "statuses": Ticket.Status.choices, "status": status},
    )


@requires("ticket.manage")
@submitted_once
def ticket_create(request):
    customer_id = param(request.GET, "client", 12)
    initial = {"customer": int(customer_id)} if customer_id.isdigit() else {}
    form = TicketForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = get_object_or_404(Customer, pk=data["customer"])
        order = None
        if data["order"]:
            order = Order.objects.filter(number=data["order"].strip().upper()).first()
            if order is None:
                form.add_error("order", _("Aucune commande ne porte ce numéro."))
        if not form.errors:
            try:
                ticket = services.open_ticket(
                    customer,
                    by=request.user,
                    title=data["title"],
                    kind=data["kind"],
                    description=data["description"],
                    order=order,
                    parts_cost=data["parts_cost"] or 0,
                    travel_cost=data["travel_cost"] or 0,
                )
            except DomainError as exc:
                show_form_error(request, form, exc)
            else:
                messages.success(request, _("Ticket %(number)s ouvert.") % {"number": ticket.number})
                return redirect("web:ticket_detail", pk=ticket.pk)
    return render(request, "web/aftersales/ticket_form.html", {"form": form})


@requires("ticket.view")
def ticket_detail(request, pk):
    ticket = get_object_or_404(selectors.tickets(), pk=pk)
    moves = [
        (status, label)
        for status, label in Ticket.Status.choices
        if workflow.can(Ticket.TRANSITIONS, ticket.status, status)
    ]
    return render(
        request,
        "web/aftersales/ticket_detail.html",
        {
            "ticket": ticket,
            "entries": ticket.time_entries.select_related("user").order_by("-date", "-id"),
            "moves": moves,
            "costs_form": TicketCostsForm(
                initial={"parts_cost": ticket.parts_cost, "travel_cost": ticket.travel_cost}
            ),
            "time_form": TicketTimeForm(),
        },
    )


@action("ticket.view")
@submitted_once
def ticket_costs(request, pk):
    ticket = get_object_or_404(Ticket, pk=pk)
    form = TicketCostsForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: services.set_ticket_costs(ticket, by=request.user, **form.cleaned_data),
            _("Coûts du ticket enregistrés."),
        )
    else:
        messages.error(request, _("Coûts non enregistrés : indiquez des montants positifs."))
    return redirect("web:ticket_detail", pk=pk)


@action("ticket.view")
@submitted_once
def ticket_move(request, pk):
    ticket = get_object_or_404(Ticket, pk=pk)
    perform(
        request,
        lambda: services.move_ticket(ticket, param(request.POST, "status", 12), by=request.user),
        _("Ticket mis à jour."),
    )
    return redirect("web:ticket_detail", pk=pk)


@action("time.record")
@submitted_once
def ticket_time(request, pk):
    ticket = get_object_or_404(Ticket.objects.select_related("customer"), pk=pk)
    form = TicketTimeForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: services.record_time(
                by=request.user,
                customer=ticket.customer,
                activity=TimeEntry.Activity.AFTERSALES,
                ticket=ticket,
                **form.cleaned_data,
            ),
            _("Temps enregistré."),
        )
    else:
        messages.error(request, _("Temps non enregistré : indiquez une durée de 1 à 1 440 minutes."))
    return redirect("web:ticket_detail", pk=pk)


# --- a delivery's logistics cost ---------------------------------------------------------------------------


@action("delivery.view")
@submitted_once
def delivery_logistics(request, pk):
    delivery = get_object_or_404(Delivery, pk=pk)
    form = LogisticsForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: logistics.set_logistics(delivery, by=request.user, **form.cleaned_data),
            _("Coût logistique enregistré."),
        )
    else:
        messages.error(request, _("Coût logistique non enregistré : indiquez des nombres positifs."))
    return redirect("web:delivery_detail", pk=pk)


def logistics_form(delivery: Delivery) -> LogisticsForm:
    return LogisticsForm(
        initial={
            "carrier_cost": delivery.carrier_cost,
            "weight_kg": delivery.weight_kg,
            "urgent_absorbed": delivery.urgent_absorbed,
            "urgent_reason": delivery.urgent_reason,
        }
    )


# --- the customer's real margin ----------------------------------------------------------------------------


def waterfall_panel(request, customer) -> dict:
    """The context of the customer page's real-margin panel (`web/insights/_waterfall.html`), over the period
    asked (?du=&au=), or the last twelve months."""
    period = forms.PeriodForm(request.GET or None)
    date_from, date_to = period.period()
    today = dates.today()
    if not period.is_bound or (date_from is None and date_to is None):
        date_from, date_to = today - datetime.timedelta(days=365), today
    result = real_margin.customer_waterfall(customer, date_from=date_from, date_to=date_to)
    rows = [
        (real_margin.STEP_LABELS[step.key], step.amount, step.start, step.end, step.is_total)
        for step in result.steps
    ]
    steps = [
        {
            "key": step.key,
            "label": real_margin.STEP_LABELS[step.key],
            "amount": step.amount,
            "end": step.end,
            "is_total": step.is_total,
            "details": [(real_margin.detail_label(d), d) for d in step.details],
        }
        for step in result.steps
    ]
    return {
        "waterfall": result,
        "waterfall_steps": steps,
        "waterfall_chart": charts.waterfall_chart(rows),
        "waterfall_period": period,
        "waterfall_from": date_from,
        "waterfall_to": date_to,
        "financing_rate": selectors.financing_rate(),
    }
