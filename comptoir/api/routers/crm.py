"""The commercial pipeline (crm): leads, opportunities, activities and the pipeline's figures."""

import datetime
from decimal import Decimal
from typing import Literal

from django.contrib.auth import get_user_model
from django.db import transaction
from ninja import Field, Query, Router, Schema, Status

from comptoir.api.access import can_read, fetch, referenced
from comptoir.api.schemas import (
    Amount,
    AmountIn,
    CustomerRef,
    DocumentDate,
    Email,
    Id,
    InputSchema,
    Page,
    PageIn,
    PathId,
    PeriodDate,
    QueryId,
    QuerySchema,
    paginate,
    responses,
)
from comptoir.crm import selectors, services
from comptoir.crm.models import Activity, Lead, Opportunity
from comptoir.parties.models import Customer

router = Router(tags=["CRM"])

SourceCode = Literal["website", "trade_show", "referral", "prospecting", "inbound_call", "other"]
LeadStatus = Literal["new", "qualified", "converted", "lost"]
StageCode = Literal["qualification", "proposal", "negotiation", "won", "lost"]
OpenStage = Literal["qualification", "proposal", "negotiation"]
ActivityKind = Literal["call", "meeting", "task", "email"]
Probability = Field(None, ge=0, le=100, description="Probabilité en % ; par défaut celle de l'étape.")


def _user(pk: int | None, label: str = "L'utilisateur"):
    return referenced(get_user_model().objects.all(), pk, "unknown_user", label) if pk else None


class CrmUserRef(Schema):
    id: int
    username: str


# --- leads -------------------------------------------------------------------------------------------------


class LeadOut(Schema):
    id: int
    company_name: str
    contact_name: str
    email: str
    phone: str
    source: SourceCode
    owner: CrmUserRef
    status: LeadStatus
    lost_reason: str
    customer: CustomerRef | None
    note: str
    created_at: datetime.datetime


class LeadIn(InputSchema):
    company_name: str = Field(min_length=1, max_length=200)
    contact_name: str = Field("", max_length=120)
    email: Email = ""
    phone: str = Field("", max_length=30)
    source: SourceCode = "other"
    owner: Id | None = Field(None, description="Le responsable ; par défaut soi-même.")
    note: str = Field("", max_length=5000)


class LeadQuery(QuerySchema):
    status: LeadStatus | None = None
    owner: QueryId = None


class LostIn(InputSchema):
    reason: str = Field(min_length=1, max_length=200, description="Pourquoi c'est perdu.")


class ConvertIn(InputSchema):
    customer: Id | None = Field(None, description="Un client existant ; sinon un client est créé.")
    opportunity_title: str = Field("", max_length=200, description="Ouvre aussi l'opportunité en vue.")
    amount: AmountIn | None = None


class ConvertOut(Schema):
    lead: LeadOut
    opportunity_id: int | None


def _leads():
    return selectors.leads()


@router.get("/leads", response=responses(Page[LeadOut]), summary="Pistes")
def list_leads(request, query: Query[LeadQuery], page: Query[PageIn]):
    can_read(request, "crm.view")
    return paginate(selectors.leads(status=query.status, owner_id=query.owner), page)


@router.post("/leads", response=responses(LeadOut, 201), summary="Créer une piste")
@transaction.atomic
def create_lead(request, payload: LeadIn):
    data = payload.model_dump()
    data["owner"] = _user(data.pop("owner"), "Le responsable")
    lead = services.create_lead(by=request.auth, **data)
    return Status(201, fetch(_leads(), lead.pk))


@router.get("/leads/{lead_id}", response=responses(LeadOut), summary="Une piste")
def get_lead(request, lead_id: PathId):
    can_read(request, "crm.view")
    return fetch(_leads(), lead_id)


@router.post("/leads/{lead_id}/qualify", response=responses(LeadOut), summary="Qualifier une piste")
@transaction.atomic
def qualify_lead(request, lead_id: PathId):
    services.qualify_lead(fetch(Lead.objects.all(), lead_id), by=request.auth)
    return fetch(_leads(), lead_id)


@router.post("/leads/{lead_id}/lose", response=responses(LeadOut), summary="Perdre une piste")
@transaction.atomic
def lose_lead(request, lead_id: PathId, payload: LostIn):
    services.lose_lead(fetch(Lead.objects.all(), lead_id), by=request.auth, reason=payload.reason)
    return fetch(_leads(), lead_id)


@router.post(
    "/leads/{lead_id}/convert",
    response=responses(ConvertOut),
    summary="Convertir une piste qualifiée en client (et en opportunité)",
)
@transaction.atomic
def convert_lead(request, lead_id: PathId, payload: ConvertIn):
    lead = fetch(Lead.objects.all(), lead_id)
    customer = (
        referenced(Customer.objects.all(), payload.customer, "unknown_customer", "Le client")
        if payload.customer
        else None
    )
    _lead, opportunity = services.convert_lead(
        lead,
        by=request.auth,
        customer=customer,
        opportunity_title=payload.opportunity_title,
        amount=payload.amount,
    )
    return {"lead": fetch(_leads(), lead_id), "opportunity_id": opportunity.pk if opportunity else None}


# --- opportunities -----------------------------------------------------------------------------------------


class OpportunityOut(Schema):
    id: int
    number: str
    customer: CustomerRef
    title: str
    stage: StageCode
    amount: Amount
    probability: int
    weighted_amount: Amount = Field(description="Montant × probabilité, au centime.")
    expected_close_date: datetime.date | None
    owner: CrmUserRef
    source: SourceCode
    lead_id: int | None
    lost_reason: str
    closed_on: datetime.date | None = Field(description="Jour où elle a été gagnée ou perdue.")
    created_on: datetime.date
    next_stages: list[StageCode] = Field(description="Les étapes où elle peut passer.")

    @staticmethod
    def resolve_weighted_amount(obj) -> Decimal:
        from comptoir.crm.pipeline import weighted

        return weighted(obj.amount, obj.probability)

    @staticmethod
    def resolve_next_stages(obj) -> list[str]:
        return [
            stage for stage in Opportunity.Stage.values if stage in Opportunity.TRANSITIONS.get(obj.stage, ())
        ]


class OpportunityIn(InputSchema):
    customer: Id
    title: str = Field(min_length=1, max_length=200)
    amount: AmountIn = Decimal("0")
    probability: int | None = Probability
    expected_close_date: DocumentDate | None = None
    owner: Id | None = Field(None, description="Le responsable ; par défaut soi-même.")
    source: SourceCode = "other"
    stage: OpenStage = "qualification"
    date: DocumentDate | None = Field(
        None, description="Jour où l'affaire est apparue (par défaut aujourd'hui)."
    )


class OpportunityChangeIn(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    amount: AmountIn | None = None
    probability: int | None = Field(None, ge=0, le=100)
    expected_close_date: DocumentDate | None = None
    owner: Id | None = None


class StageIn(InputSchema):
    stage: StageCode
    reason: str = Field("", max_length=200, description="Motif, obligatoire pour « lost ».")
    date: DocumentDate | None = Field(
        None, description="Jour du gain ou de la perte (par défaut aujourd'hui)."
    )
    probability: int | None = Probability


class OpportunityQuery(QuerySchema):
    owner: QueryId = None
    stage: StageCode | None = None
    customer: QueryId = None
    source: SourceCode | None = None


def _opportunities():
    return selectors.opportunities()


@router.get("/opportunities", response=responses(Page[OpportunityOut]), summary="Opportunités")
def list_opportunities(request, query: Query[OpportunityQuery], page: Query[PageIn]):
    can_read(request, "crm.view")
    return paginate(
        selectors.opportunities(
            owner_id=query.owner, stage=query.stage, customer_id=query.customer, source=query.source
        ),
        page,
    )


@router.post("/opportunities", response=responses(OpportunityOut, 201), summary="Créer une opportunité")
@transaction.atomic
def create_opportunity(request, payload: OpportunityIn):
    customer = referenced(Customer.objects.all(), payload.customer, "unknown_customer", "Le client")
    opportunity = services.create_opportunity(
        customer,
        by=request.auth,
        title=payload.title,
        amount=payload.amount,
        probability=payload.probability,
        expected_close_date=payload.expected_close_date,
        owner=_user(payload.owner, "Le responsable"),
        source=payload.source,
        stage=payload.stage,
        date=payload.date,
    )
    return Status(201, fetch(_opportunities(), opportunity.pk))


@router.get("/opportunities/{opportunity_id}", response=responses(OpportunityOut), summary="Une opportunité")
def get_opportunity(request, opportunity_id: PathId):
    can_read(request, "crm.view")
    return fetch(_opportunities(), opportunity_id)


@router.patch(
    "/opportunities/{opportunity_id}", response=responses(OpportunityOut), summary="Modifier une opportunité"
)
@transaction.atomic
def update_opportunity(request, opportunity_id: PathId, payload: OpportunityChangeIn):
    opportunity = fetch(Opportunity.objects.all(), opportunity_id)
    changes = {key: value for key, value in payload.model_dump().items() if value is not None}
    if "owner" in changes:
        changes["owner"] = _user(changes["owner"], "Le responsable")
    services.update_opportunity(opportunity, by=request.auth, **changes)
    return fetch(_opportunities(), opportunity_id)


@router.post(
    "/opportunities/{opportunity_id}/stage",
    response=responses(OpportunityOut),
    summary="Faire passer une opportunité à une autre étape (gagnée, perdue…)",
)
@transaction.atomic
def move_stage(request, opportunity_id: PathId, payload: StageIn):
    services.move_stage(
        fetch(Opportunity.objects.all(), opportunity_id),
        payload.stage,
        by=request.auth,
        reason=payload.reason,
        date=payload.date,
        probability=payload.probability,
    )
    return fetch(_opportunities(), opportunity_id)


# --- activities --------------------------------------------------------------------------------------------


class TargetRef(Schema):
    id: int
    number: str
    title: str


class LeadRef(Schema):
    id: int
    company_name: str


class ActivityOut(Schema):
    id: int
    kind: ActivityKind
    subject: str
    due_date: datetime.date
    done_at: datetime.datetime | None
    assigned_to: CrmUserRef
    customer: CustomerRef | None
    opportunity: TargetRef | None
    lead: LeadRef | None
    note: str


class ActivityIn(InputSchema):
    kind: ActivityKind = "task"
    subject: str = Field(min_length=1, max_length=200)
    due_date: DocumentDate
    assigned_to: Id | None = Field(None, description="Pour qui ; par défaut soi-même.")
    customer: Id | None = None
    opportunity: Id | None = None
    lead: Id | None = None
    note: str = Field("", max_length=5000)


class CompleteIn(InputSchema):
    note: str = Field("", max_length=5000, description="Comment cela s'est passé.")


class ActivityQuery(QuerySchema):
    assigned_to: QueryId = None
    customer: QueryId = None
    opportunity: QueryId = None
    lead: QueryId = None
    open: bool = Field(False, description="Seulement celles qui ne sont pas faites.")


def _activities():
    return selectors.activities()


@router.get("/activities", response=responses(Page[ActivityOut]), summary="Activités")
def list_activities(request, query: Query[ActivityQuery], page: Query[PageIn]):
    can_read(request, "crm.view")
    rows = selectors.activities(
        assigned_to_id=query.assigned_to,
        customer_id=query.customer,
        opportunity_id=query.opportunity,
        lead_id=query.lead,
        open_only=query.open,
    )
    return paginate(rows, page)


@router.post("/activities", response=responses(ActivityOut, 201), summary="Planifier une activité")
@transaction.atomic
def plan_activity(request, payload: ActivityIn):
    activity = services.plan_activity(
        customer=referenced(Customer.objects.all(), payload.customer, "unknown_customer", "Le client")
        if payload.customer
        else None,
        opportunity=referenced(
            Opportunity.objects.select_related("customer"),
            payload.opportunity,
            "unknown_opportunity",
            "L'opportunité",
        )
        if payload.opportunity
        else None,
        lead=referenced(Lead.objects.all(), payload.lead, "unknown_lead", "La piste")
        if payload.lead
        else None,
        kind=payload.kind,
        subject=payload.subject,
        due_date=payload.due_date,
        assigned_to=_user(payload.assigned_to, "La personne") or request.auth,
        by=request.auth,
        note=payload.note,
    )
    return Status(201, fetch(_activities(), activity.pk))


@router.post(
    "/activities/{activity_id}/complete",
    response=responses(ActivityOut),
    summary="Marquer une activité faite",
)
@transaction.atomic
def complete_activity(request, activity_id: PathId, payload: CompleteIn):
    services.complete_activity(fetch(Activity.objects.all(), activity_id), by=request.auth, note=payload.note)
    return fetch(_activities(), activity_id)


# --- figures -----------------------------------------------------------------------------------------------


class StageTotalOut(Schema):
    stage: StageCode
    count: int
    amount: Amount
    weighted: Amount


class PerformanceOut(Schema):
    key: str
    label: str
    won: int
    lost: int
    conversion_rate: Decimal | None = Field(description="Gagnées ÷ closes, en %, au dixième.")
    median_cycle_days: Decimal | None = Field(description="Jours de la création au gain, médiane.")


class OverdueOut(Schema):
    user_id: int
    username: str
    count: int


class StatsOut(Schema):
    pipeline: list[StageTotalOut]
    by_owner: list[PerformanceOut]
    by_source: list[PerformanceOut]
    overdue_activities: list[OverdueOut]


class StatsQuery(QuerySchema):
    owner: QueryId = Field(None, description="Le pipeline d'une personne seulement.")
    date_from: PeriodDate | None = Field(None, description="Opportunités closes à partir du…")
    date_to: PeriodDate | None = Field(None, description="… jusqu'au (inclus).")


def _performance(by: str, query: StatsQuery) -> list[dict]:
    return [
        {
            "key": str(row.key),
            "label": row.label,
            "won": row.figures.won,
            "lost": row.figures.lost,
            "conversion_rate": row.figures.conversion_rate,
            "median_cycle_days": row.figures.median_cycle_days,
        }
        for row in selectors.performance(by, date_from=query.date_from, date_to=query.date_to)
    ]


@router.get(
    "/stats",
    response=responses(StatsOut),
    summary="Pipeline par étape, taux de conversion et cycle de vente, activités en retard",
)
def stats(request, query: Query[StatsQuery]):
    can_read(request, "crm.view")
    return {
        "pipeline": [
            {"stage": t.stage, "count": t.count, "amount": t.amount, "weighted": t.weighted}
            for t in selectors.pipeline_by_stage(owner_id=query.owner)
        ],
        "by_owner": _performance("owner", query),
        "by_source": _performance("source", query),
        "overdue_activities": [
            {
                "user_id": row["assigned_to_id"],
                "username": row["assigned_to__username"],
                "count": row["count"],
            }
            for row in selectors.overdue_by_person()
        ],
    }
