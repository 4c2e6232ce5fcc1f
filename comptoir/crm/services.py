"""CRM actions: leads (create, qualify, lose, convert into a customer), opportunities (create, update, move
along the stage table, win or lose, won by an accepted quote) and activities (plan, complete). One verb, one
transaction, one audit event each; a lead's conversion creates its customer through `parties.services`."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from comptoir.core import audit, dates, money, numbering, permissions, workflow
from comptoir.core.errors import fail
from comptoir.crm import errors
from comptoir.crm.models import Activity, Lead, Opportunity, Source
from comptoir.parties import services as parties

Stage = Opportunity.Stage


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def _source(value) -> str:
    value = value or Source.OTHER
    if value not in Source.values:
        fail(errors.UNKNOWN_SOURCE, value=value)
    return value


def _amount(value) -> Decimal:
    try:
        number = money.amount(money.D(value if value not in (None, "") else "0"))
    except (ValueError, TypeError, InvalidOperation):
        fail(errors.INVALID_AMOUNT, value=value)
    if number < 0 or number > money.MAX_DOCUMENT_AMOUNT:
        fail(errors.INVALID_AMOUNT, value=value)
    return number


def _probability(value, stage: str) -> int:
    if value in (None, ""):
        return Opportunity.STAGE_PROBABILITY[stage]
    try:
        number = int(value)
    except (TypeError, ValueError):
        fail(errors.PROBABILITY_OUT_OF_RANGE, value=value)
    if not 0 <= number <= 100:
        fail(errors.PROBABILITY_OUT_OF_RANGE, value=number)
    return number


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


# --- leads -------------------------------------------------------------------------------------------------


@transaction.atomic
def create_lead(
    *,
    by,
    company_name: str,
    contact_name: str = "",
    email: str = "",
    phone: str = "",
    source: str = Source.OTHER,
    owner=None,
    note: str = "",
) -> Lead:
    permissions.require(by, "crm.manage")
    company_name = _text(company_name, 200)
    if not company_name:
        fail(errors.COMPANY_NAME_MISSING)
    lead = Lead.objects.create(
        company_name=company_name,
        contact_name=_text(contact_name, 120),
        email=_text(email, 254),
        phone=_text(phone, 30),
        source=_source(source),
        owner=owner or by,
        note=(note or "").strip(),
        created_by=by,
    )
    audit.record(
        "lead.created", by=by, obj=lead, data={"source": lead.source, "owner": lead.owner.get_username()}
    )
    return lead


def _move_lead(lead: Lead, status: str, *, by, action: str, data=None, **fields) -> Lead:
    permissions.require(by, "crm.manage")
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    workflow.require(Lead.TRANSITIONS, lead.status, status, document=lead.company_name, labels=Lead.Status)
    before = lead.status
    lead.status = status
    for name, value in fields.items():
        setattr(lead, name, value)
    lead.save(update_fields=["status", *fields])
    audit.record(action, by=by, obj=lead, data={"from": before, **(data or {})})
    return lead


@transaction.atomic
def qualify_lead(lead: Lead, *, by) -> Lead:
    """The lead is a real prospect (a need, a budget, someone who decides): it may now be converted."""
    return _move_lead(lead, Lead.Status.QUALIFIED, by=by, action="lead.qualified")


@transaction.atomic
def lose_lead(lead: Lead, *, by, reason: str) -> Lead:
    reason = _text(reason, 200)
    if not reason:
        fail(errors.REASON_MISSING, document=lead.company_name)
    return _move_lead(
        lead, Lead.Status.LOST, by=by, action="lead.lost", data={"reason": reason}, lost_reason=reason
    )


@transaction.atomic
def reopen_lead(lead: Lead, *, by) -> Lead:
    return _move_lead(lead, Lead.Status.NEW, by=by, action="lead.reopened", lost_reason="")


@transaction.atomic
def convert_lead(
    lead: Lead, *, by, customer=None, opportunity_title: str = "", amount=None
) -> tuple[Lead, Opportunity | None]:
    """A qualified lead becomes a customer: `customer` when it already is one, otherwise a new customer
    created by parties' rules (its name, phone, and the contact). With `opportunity_title`, the deal in view
    is opened at once, with the lead's source and owner."""
    permissions.require(by, "crm.manage")
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.status != Lead.Status.QUALIFIED:
        fail(errors.LEAD_NOT_QUALIFIED, lead=locked.company_name)
    if customer is None:
        contacts = (
            [{"name": locked.contact_name, "email": locked.email, "phone": locked.phone}]
            if locked.contact_name
            else []
        )
        customer = parties.create_customer(
            by=by, name=locked.company_name, phone=locked.phone, contacts=contacts
        )
    locked.status = Lead.Status.CONVERTED
    locked.customer = customer
    locked.converted_at = timezone.now()
    locked.save(update_fields=["status", "customer", "converted_at"])
    opportunity = None
    if _text(opportunity_title, 200):
        opportunity = _new_opportunity(
            customer,
            by=by,
            title=opportunity_title,
            amount=amount,
            owner=locked.owner,
            source=locked.source,
            lead=locked,
        )
    audit.record(
        "lead.converted",
        by=by,
        obj=locked,
        data={"customer": customer.code, "opportunity": opportunity.number if opportunity else ""},
    )
    return locked, opportunity


# --- opportunities -----------------------------------------------------------------------------------------


def _not_future(day: datetime.date | None) -> datetime.date:
    today = dates.today()
    if day is not None and day > today:
        fail(errors.DATE_IN_FUTURE, date=dates.fr(day))
    return day or today


def _new_opportunity(
    customer,
    *,
    by,
    title: str,
    amount=None,
    probability=None,
    expected_close_date: datetime.date | None = None,
    owner=None,
    source: str = Source.OTHER,
    lead: Lead | None = None,
    stage: str = Stage.QUALIFICATION,
    date: datetime.date | None = None,
) -> Opportunity:
    title = _text(title, 200)
    if not title:
        fail(errors.TITLE_MISSING)
    if stage not in Opportunity.OPEN_STAGES:
        fail(errors.UNKNOWN_STAGE, value=stage)
    day = _not_future(date)
    return Opportunity.objects.create(
        number=numbering.next_number("OPP", day.year),
        customer=customer,
        title=title,
        stage=stage,
        amount=_amount(amount),
        probability=_probability(probability, stage),
        expected_close_date=expected_close_date,
        owner=owner or by,
        source=_source(source),
        lead=lead,
        created_by=by,
        created_on=day,
    )


@transaction.atomic
def create_opportunity(
    customer,
    *,
    by,
    title: str,
    amount=None,
    probability=None,
    expected_close_date: datetime.date | None = None,
    owner=None,
    source: str = Source.OTHER,
    stage: str = Stage.QUALIFICATION,
    date: datetime.date | None = None,
) -> Opportunity:
    """A deal in view with `customer`, at an open stage (qualification by default), come up on `date`
    (today by default, never later); its probability is the stage's unless stated."""
    permissions.require(by, "crm.manage")
    opportunity = _new_opportunity(
        customer,
        by=by,
        title=title,
        amount=amount,
        probability=probability,
        expected_close_date=expected_close_date,
        owner=owner,
        source=source,
        stage=stage,
        date=date,
    )
    audit.record(
        "opportunity.created",
        by=by,
        obj=opportunity,
        data={"customer": customer.code, "amount": opportunity.amount, "stage": opportunity.stage},
    )
    return opportunity


@transaction.atomic
def update_opportunity(opportunity: Opportunity, *, by, **changes) -> Opportunity:
    """Change what is estimated of an open deal: title, amount, probability, expected date, owner."""
    permissions.require(by, "crm.manage")
    allowed = {"title", "amount", "probability", "expected_close_date", "owner"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown opportunity fields: {sorted(unknown)}")
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    _require_open(locked)
    before = {name: str(getattr(locked, name)) for name in changes}
    if "title" in changes:
        locked.title = _text(changes["title"], 200)
        if not locked.title:
            fail(errors.TITLE_MISSING)
    if "amount" in changes:
        locked.amount = _amount(changes["amount"])
    if "probability" in changes:
        locked.probability = _probability(changes["probability"], locked.stage)
    if "expected_close_date" in changes:
        locked.expected_close_date = changes["expected_close_date"]
    if changes.get("owner") is not None:
        locked.owner = changes["owner"]
    locked.save()
    audit.record(
        "opportunity.updated",
        by=by,
        obj=locked,
        data={"before": before, "after": {name: str(getattr(locked, name)) for name in changes}},
    )
    return locked


def _require_open(opportunity: Opportunity) -> None:
    if not opportunity.is_open:
        fail(
            errors.OPPORTUNITY_CLOSED,
            opportunity=opportunity.number,
            stage=str(Stage(opportunity.stage).label),
        )


def _set_stage(opportunity: Opportunity, stage: str, *, reason: str, day, probability=None) -> None:
    opportunity.stage = stage
    closed = stage in Opportunity.CLOSED_STAGES
    opportunity.probability = (
        Opportunity.STAGE_PROBABILITY[stage] if closed else _probability(probability, stage)
    )
    opportunity.closed_on = day if closed else None
    opportunity.lost_reason = reason if stage == Stage.LOST else ""
    opportunity.save(update_fields=["stage", "probability", "closed_on", "lost_reason"])


@transaction.atomic
def move_stage(
    opportunity: Opportunity,
    stage: str,
    *,
    by,
    reason: str = "",
    date: datetime.date | None = None,
    probability=None,
) -> Opportunity:
    """Move the deal along `Opportunity.TRANSITIONS`; lost needs a reason; won and lost are dated (today by
    default). The probability becomes the stage's unless stated (won 100, lost 0 always)."""
    permissions.require(by, "crm.manage")
    if stage not in Stage.values:
        fail(errors.UNKNOWN_STAGE, value=stage)
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    workflow.require(Opportunity.TRANSITIONS, locked.stage, stage, document=locked.number, labels=Stage)
    reason = _text(reason, 200)
    if stage == Stage.LOST and not reason:
        fail(errors.USE_MARK_LOST, opportunity=locked.number)
    day = _not_future(date)
    if stage in Opportunity.CLOSED_STAGES and day < locked.created_on:
        fail(errors.CLOSED_BEFORE_CREATED, opportunity=locked.number, date=dates.fr(locked.created_on))
    before = locked.stage
    _set_stage(locked, stage, reason=reason, day=day, probability=probability)
    data = {"from": before, "to": stage}
    if reason:
        data["reason"] = reason
    audit.record("opportunity.stage_moved", by=by, obj=locked, data=data)
    return locked


def mark_won(opportunity: Opportunity, *, by, date: datetime.date | None = None) -> Opportunity:
    return move_stage(opportunity, Stage.WON, by=by, date=date)


def mark_lost(opportunity: Opportunity, *, by, reason: str, date: datetime.date | None = None) -> Opportunity:
    return move_stage(opportunity, Stage.LOST, by=by, reason=reason, date=date)


def require_quotable(opportunity: Opportunity, customer) -> None:
    """A quote may be attached to an open opportunity of its own customer (`sales.create_quote` asks)."""
    if opportunity.customer_id != customer.pk:
        fail(errors.NOT_THIS_CUSTOMER, opportunity=opportunity.number, customer=opportunity.customer.name)
    _require_open(opportunity)


@transaction.atomic
def win_from_quote(opportunity: Opportunity, *, quote, by, date: datetime.date) -> Opportunity:
    """The customer accepted `quote`, attached to `opportunity`: the deal is won on that day, from any stage
    (`Opportunity.WON_BY_QUOTE_FROM`), at the quote's amount. Called by `sales.accept_quote` inside its
    transaction; an opportunity already won stays as it is."""
    permissions.require(by, "quote.accept")
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if locked.stage not in Opportunity.WON_BY_QUOTE_FROM:
        return locked
    before = locked.stage
    locked.amount = quote.total_untaxed
    locked.save(update_fields=["amount"])
    _set_stage(locked, Stage.WON, reason="", day=max(date, locked.created_on))
    audit.record(
        "opportunity.won_by_quote",
        by=by,
        obj=locked,
        data={"from": before, "quote": quote.number, "amount": locked.amount},
    )
    return locked


# --- activities --------------------------------------------------------------------------------------------


@transaction.atomic
def plan_activity(
    *,
    customer=None,
    opportunity: Opportunity | None = None,
    lead: Lead | None = None,
    kind: str,
    subject: str,
    due_date: datetime.date,
    assigned_to,
    by,
    note: str = "",
) -> Activity:
    """Something for `assigned_to` to do by `due_date`, about a customer, an opportunity or a lead (an
    activity on an opportunity is also its customer's)."""
    permissions.require(by, "crm.manage")
    if kind not in Activity.Kind.values:
        fail(errors.UNKNOWN_KIND, value=kind)
    subject = _text(subject, 200)
    if not subject:
        fail(errors.SUBJECT_MISSING)
    if customer is None and opportunity is None and lead is None:
        fail(errors.ACTIVITY_WITHOUT_TARGET)
    if opportunity is not None:
        if customer is not None and opportunity.customer_id != customer.pk:
            fail(
                errors.NOT_THIS_CUSTOMER,
                opportunity=opportunity.number,
                customer=opportunity.customer.name,
            )
        customer = opportunity.customer
    if customer is None and lead is not None and lead.customer_id:
        customer = lead.customer
    if not permissions.has_perm(assigned_to, "crm.view"):
        fail(errors.ASSIGNEE_WITHOUT_CRM, user=_name(assigned_to))
    activity = Activity.objects.create(
        kind=kind,
        subject=subject,
        due_date=due_date,
        assigned_to=assigned_to,
        customer=customer,
        opportunity=opportunity,
        lead=lead,
        note=(note or "").strip(),
        created_by=by,
    )
    audit.record(
        "activity.planned",
        by=by,
        obj=activity,
        data={
            "kind": kind,
            "due_date": due_date,
            "assigned_to": assigned_to.get_username(),
            "about": str(opportunity or customer or lead),
        },
    )
    return activity


@transaction.atomic
def complete_activity(activity: Activity, *, by, note: str = "") -> Activity:
    """The activity is done (now); a note says how it went. Its assignee closes it, or direction."""
    permissions.require(by, "crm.view")
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if locked.assigned_to_id != by.pk and not permissions.has_perm(by, "crm.supervise"):
        fail(errors.NOT_YOUR_ACTIVITY, user=_name(locked.assigned_to))
    if locked.done_at is not None:
        fail(errors.ACTIVITY_DONE, subject=locked.subject)
    locked.done_at = timezone.now()
    note = (note or "").strip()
    if note:
        locked.note = f"{locked.note}\n{note}".strip()
    locked.save(update_fields=["done_at", "note"])
    audit.record("activity.completed", by=by, obj=locked, data={"kind": locked.kind})
    return locked
