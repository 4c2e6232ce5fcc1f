"""Reads of the CRM shaped for its pages and the API: leads, opportunities, activities, the pipeline per
stage, conversion and sales cycle per owner and per source, overdue activities per person."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q

from comptoir.core import dates
from comptoir.crm import pipeline
from comptoir.crm.models import Activity, Lead, Opportunity, Source

Stage = Opportunity.Stage


def leads(*, status: str | None = None, owner_id: int | None = None, q: str = ""):
    rows = Lead.objects.select_related("owner", "customer")
    if status:
        rows = rows.filter(status=status)
    if owner_id:
        rows = rows.filter(owner_id=owner_id)
    if q:
        rows = rows.filter(Q(company_name__icontains=q) | Q(contact_name__icontains=q))
    return rows


def opportunities(
    *,
    owner_id: int | None = None,
    stage: str | None = None,
    customer_id: int | None = None,
    source: str | None = None,
):
    rows = Opportunity.objects.select_related("customer", "owner")
    if owner_id:
        rows = rows.filter(owner_id=owner_id)
    if stage:
        rows = rows.filter(stage=stage)
    if customer_id:
        rows = rows.filter(customer_id=customer_id)
    if source:
        rows = rows.filter(source=source)
    return rows


def activities(
    *,
    assigned_to_id: int | None = None,
    customer_id: int | None = None,
    opportunity_id: int | None = None,
    lead_id: int | None = None,
    open_only: bool = False,
):
    """Activities not done first (by due date), then those done."""
    rows = Activity.objects.select_related("assigned_to", "customer", "opportunity", "lead").order_by(
        F("done_at").asc(nulls_first=True), "due_date", "id"
    )
    if assigned_to_id:
        rows = rows.filter(assigned_to_id=assigned_to_id)
    if customer_id:
        rows = rows.filter(customer_id=customer_id)
    if opportunity_id:
        rows = rows.filter(opportunity_id=opportunity_id)
    if lead_id:
        rows = rows.filter(lead_id=lead_id)
    if open_only:
        rows = rows.filter(done_at__isnull=True)
    return rows


def todo(user, *, today: datetime.date | None = None):
    """The person's activities not done yet, overdue first (oldest due first), then by due date; each with
    `overdue` set."""
    today = today or dates.today()
    rows = list(activities(assigned_to_id=user.pk, open_only=True).order_by("due_date", "id"))
    for row in rows:
        row.overdue = row.due_date < today
    return rows


def owners():
    """The people who own a lead or an opportunity, for the filters."""
    ids = set(Opportunity.objects.values_list("owner_id", flat=True).distinct())
    ids |= set(Lead.objects.values_list("owner_id", flat=True).distinct())
    return list(get_user_model().objects.filter(pk__in=ids).order_by("username"))


def pipeline_by_stage(*, owner_id: int | None = None) -> list[pipeline.StageTotal]:
    """The open deals per stage: count, amount, amount weighted by probability."""
    rows = opportunities(owner_id=owner_id).filter(stage__in=Opportunity.OPEN_STAGES)
    deals = (
        pipeline.Deal(stage, amount, probability)
        for stage, amount, probability in rows.values_list("stage", "amount", "probability")
    )
    return pipeline.by_stage(deals, Opportunity.OPEN_STAGES)


@dataclass(frozen=True)
class PerformanceRow:
    key: object
    label: str
    figures: pipeline.Performance


def performance(
    by: str, *, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> list[PerformanceRow]:
    """Conversion rate and median sales cycle of the deals closed from–to, per "owner" or per "source"."""
    if by not in ("owner", "source"):
        raise ValueError(by)
    rows = Opportunity.objects.filter(stage__in=Opportunity.CLOSED_STAGES)
    if date_from:
        rows = rows.filter(closed_on__gte=date_from)
    if date_to:
        rows = rows.filter(closed_on__lte=date_to)
    field = "owner_id" if by == "owner" else "source"
    closed = [
        pipeline.Closed(key, stage == Stage.WON, created_on, closed_on)
        for key, stage, created_on, closed_on in rows.order_by(field, "id").values_list(
            field, "stage", "created_on", "closed_on"
        )
    ]
    figures = pipeline.performance(closed)
    if by == "owner":
        users = get_user_model().objects.in_bulk([row.key for row in figures])
        names = {pk: user.get_full_name() or user.get_username() for pk, user in users.items()}
    else:
        names = {key: str(label) for key, label in Source.choices}
    return [PerformanceRow(row.key, names.get(row.key, str(row.key)), row) for row in figures]


def overdue_by_person(*, today: datetime.date | None = None) -> list[dict]:
    """Per person, how many activities are past their due date and not done: [{user_id, username, count}]."""
    today = today or dates.today()
    return list(
        Activity.objects.filter(done_at__isnull=True, due_date__lt=today)
        .values("assigned_to_id", "assigned_to__username")
        .annotate(count=Count("id"))
        .order_by("-count", "assigned_to__username")
    )
