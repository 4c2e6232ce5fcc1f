"""The commercial pipeline (crm): the pipeline board, leads, opportunities and « Mes activités ». Views parse
and call `comptoir.crm.services`; the stage buttons come from the opportunity's transition table."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from comptoir.core import dates, workflow
from comptoir.core.errors import DomainError
from comptoir.core.permissions import has_perm
from comptoir.crm import pipeline, selectors, services
from comptoir.crm.models import Activity, Lead, Opportunity
from comptoir.parties.models import Customer
from comptoir.sales.models import Quote
from comptoir.web import queries
from comptoir.web.crm_forms import (
    ActivityForm,
    CompleteForm,
    ConvertForm,
    LeadForm,
    OpportunityForm,
    ReasonForm,
)
from comptoir.web.submissions import submitted_once
from comptoir.web.views.common import action, paginate, param, perform, requires, show_form_error

Stage = Opportunity.Stage


def _owner_filter(request) -> int | None:
    return queries.int_or_none(request.GET.get("responsable"))


# --- the pipeline ------------------------------------------------------------------------------------------


@requires("crm.view")
def pipeline_board(request):
    """The open deals in one column per stage, each with its count, amount and weighted amount; under it the
    conversion and cycle per owner and per source, and who has activities overdue."""
    owner_id = _owner_filter(request)
    deals = list(
        selectors.opportunities(owner_id=owner_id)
        .filter(stage__in=Opportunity.OPEN_STAGES)
        .order_by("expected_close_date", "id")
    )
    totals = {total.stage: total for total in selectors.pipeline_by_stage(owner_id=owner_id)}
    columns = [
        {
            "stage": stage,
            "label": Stage(stage).label,
            "total": totals[stage],
            "deals": [deal for deal in deals if deal.stage == stage],
        }
        for stage in Opportunity.OPEN_STAGES
    ]
    return render(
        request,
        "web/crm/pipeline.html",
        {
            "columns": columns,
            "owners": selectors.owners(),
            "owner_id": owner_id,
            "by_owner": selectors.performance("owner"),
            "by_source": selectors.performance("source"),
            "overdue": selectors.overdue_by_person(),
            "total_amount": sum((c["total"].amount for c in columns), pipeline.ZERO),
            "total_weighted": sum((c["total"].weighted for c in columns), pipeline.ZERO),
        },
    )


# --- leads -------------------------------------------------------------------------------------------------


@requires("crm.view")
def lead_list(request):
    status = param(request.GET, "etat", 12)
    status = status if status in Lead.Status.values else None
    q = param(request.GET, "q", 100)
    rows = selectors.leads(status=status, owner_id=_owner_filter(request), q=q)
    return render(
        request,
        "web/crm/lead_list.html",
        {"page_obj": paginate(request, rows), "statuses": Lead.Status.choices, "status": status, "q": q},
    )


@requires("crm.manage")
@submitted_once
def lead_create(request):
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.create_lead(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_form_error(request, form, exc)
        else:
            messages.success(request, _("Piste « %(name)s » créée.") % {"name": lead.company_name})
            return redirect("web:lead_detail", pk=lead.pk)
    return render(request, "web/crm/lead_form.html", {"form": form})


@requires("crm.view")
def lead_detail(request, pk):
    lead = get_object_or_404(selectors.leads(), pk=pk)
    return render(
        request,
        "web/crm/lead_detail.html",
        {
            "lead": lead,
            "can_qualify": workflow.can(Lead.TRANSITIONS, lead.status, Lead.Status.QUALIFIED),
            "can_lose": workflow.can(Lead.TRANSITIONS, lead.status, Lead.Status.LOST),
            "can_reopen": workflow.can(Lead.TRANSITIONS, lead.status, Lead.Status.NEW),
            "can_convert": lead.status == Lead.Status.QUALIFIED,
            "reason_form": ReasonForm(),
            "convert_form": ConvertForm(),
            "activities": selectors.activities(lead_id=lead.pk),
            "activity_form": ActivityForm(initial={"lead": lead.pk}, user=request.user),
            "opportunities": lead.opportunities.all(),
            "today": dates.today(),
        },
    )


@action("crm.view")
@submitted_once
def lead_qualify(request, pk):
    lead = get_object_or_404(Lead, pk=pk)
    perform(request, lambda: services.qualify_lead(lead, by=request.user), _("Piste qualifiée."))
    return redirect("web:lead_detail", pk=pk)


@action("crm.view")
@submitted_once
def lead_reopen(request, pk):
    lead = get_object_or_404(Lead, pk=pk)
    perform(request, lambda: services.reopen_lead(lead, by=request.user), _("Piste reprise."))
    return redirect("web:lead_detail", pk=pk)


@action("crm.view")
@submitted_once
def lead_lose(request, pk):
    lead = get_object_or_404(Lead, pk=pk)
    reason = param(request.POST, "reason", 200)
    perform(request, lambda: services.lose_lead(lead, by=request.user, reason=reason), _("Piste perdue."))
    return redirect("web:lead_detail", pk=pk)


@action("crm.view")
@submitted_once
def lead_convert(request, pk):
    lead = get_object_or_404(Lead, pk=pk)
    form = ConvertForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Conversion impossible : le montant doit être un nombre positif."))
        return redirect("web:lead_detail", pk=pk)
    result, ok = perform(
        request,
        lambda: services.convert_lead(lead, by=request.user, **form.cleaned_data),
        lambda result: (
            _("Piste convertie : client %(customer)s créé.") % {"customer": result[0].customer.name}
        ),
    )
    if ok and result[1] is not None:
        return redirect("web:opportunity_detail", pk=result[1].pk)
    if ok:
        return redirect("web:customer_detail", pk=result[0].customer_id)
    return redirect("web:lead_detail", pk=pk)


# --- opportunities -----------------------------------------------------------------------------------------


@requires("crm.manage")
@submitted_once
def opportunity_create(request):
    initial = {"customer": queries.int_or_none(request.GET.get("client"))}
    form = OpportunityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        customer = Customer.objects.filter(pk=data.pop("customer")).first()
        if customer is None:
            form.add_error("customer", _("Choisissez un client."))
        else:
            try:
                opportunity = services.create_opportunity(customer, by=request.user, **data)
            except DomainError as exc:
                show_form_error(request, form, exc)
            else:
                messages.success(request, _("Opportunité %(number)s créée.") % {"number": opportunity.number})
                return redirect("web:opportunity_detail", pk=opportunity.pk)
    return render(request, "web/crm/opportunity_form.html", {"form": form})


@requires("crm.view")
def opportunity_detail(request, pk):
    opportunity = get_object_or_404(selectors.opportunities().select_related("lead"), pk=pk)
    can_manage = has_perm(request.user, "crm.manage")
    moves = [
        (stage, label)
        for stage, label in Stage.choices
        if can_manage
        and stage != Stage.LOST
        and workflow.can(Opportunity.TRANSITIONS, opportunity.stage, stage)
    ]
    return render(
        request,
        "web/crm/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "weighted": pipeline.weighted(opportunity.amount, opportunity.probability),
            "moves": moves,
            "can_lose": can_manage and workflow.can(Opportunity.TRANSITIONS, opportunity.stage, Stage.LOST),
            "can_quote": opportunity.is_open and has_perm(request.user, "quote.manage"),
            "reason_form": ReasonForm(),
            "quotes": Quote.objects.filter(opportunity=opportunity).order_by("-date", "-id"),
            "activities": selectors.activities(opportunity_id=opportunity.pk),
            "activity_form": ActivityForm(initial={"opportunity": opportunity.pk}, user=request.user),
            "today": dates.today(),
            "time_entries": opportunity.time_entries.select_related("user").order_by("-date", "-id")
            if has_perm(request.user, "time.manage")
            else None,
        },
    )


@action("crm.view")
@submitted_once
def opportunity_stage(request, pk):
    opportunity = get_object_or_404(Opportunity, pk=pk)
    stage = param(request.POST, "stage", 14)
    reason = param(request.POST, "reason", 200)
    perform(
        request,
        lambda: services.move_stage(opportunity, stage, by=request.user, reason=reason),
        lambda moved: _("Opportunité passée à l'étape « %(stage)s ».") % {"stage": moved.get_stage_display()},
    )
    return redirect("web:opportunity_detail", pk=pk)


# --- activities --------------------------------------------------------------------------------------------


@requires("crm.view")
def my_activities(request):
    """The person's activities not done yet, overdue first."""
    rows = selectors.todo(request.user)
    overdue = [row for row in rows if row.overdue]
    return render(
        request,
        "web/crm/my_activities.html",
        {
            "overdue": overdue,
            "upcoming": [row for row in rows if not row.overdue],
            "complete_form": CompleteForm(),
            "today": dates.today(),
        },
    )


def _back(request) -> str:
    """Where the person came from (a page of this site, `next`), else « Mes activités »."""
    back = param(request.POST, "next", 300)
    if back.startswith("/") and not back.startswith("//"):
        return back
    return "web:my_activities"


@action("crm.view")
@submitted_once
def activity_plan(request):
    form = ActivityForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Activité non planifiée : indiquez l'objet, l'échéance et la personne."))
        return redirect(_back(request))
    data = form.cleaned_data
    targets = {
        "customer": Customer.objects.filter(pk=data["customer"]).first() if data["customer"] else None,
        "opportunity": Opportunity.objects.select_related("customer").filter(pk=data["opportunity"]).first()
        if data["opportunity"]
        else None,
        "lead": Lead.objects.filter(pk=data["lead"]).first() if data["lead"] else None,
    }
    perform(
        request,
        lambda: services.plan_activity(
            **targets,
            kind=data["kind"],
            subject=data["subject"],
            due_date=data["due_date"],
            assigned_to=data["assigned_to"],
            by=request.user,
            note=data["note"],
        ),
        _("Activité planifiée."),
    )
    return redirect(_back(request))


@action("crm.view")
@submitted_once
def activity_complete(request, pk):
    activity = get_object_or_404(Activity, pk=pk)
    note = param(request.POST, "note", 2000)
    perform(
        request,
        lambda: services.complete_activity(activity, by=request.user, note=note),
        _("Activité « %(subject)s » faite.") % {"subject": activity.subject},
    )
    return redirect(_back(request))


def customer_panel(request, customer) -> dict:
    """The context of the customer page's CRM panel (`web/crm/_customer_panel.html`): its open opportunities
    and its activities (not done first)."""
    if not has_perm(request.user, "crm.view"):
        return {}
    return {
        "crm_opportunities": selectors.opportunities(customer_id=customer.pk).order_by("-created_at")[:10],
        "crm_activities": selectors.activities(customer_id=customer.pk)[:20],
        "crm_activity_form": ActivityForm(initial={"customer": customer.pk}, user=request.user),
        "today": dates.today(),
    }
