"""Time entries, after-sales tickets and the costs behind a customer's real margin (aftersales)."""

import datetime
from decimal import Decimal
from typing import Literal

from django.contrib.auth import get_user_model
from django.db import transaction
from ninja import Field, Query, Router, Schema, Status

from comptoir.aftersales import selectors, services
from comptoir.aftersales.models import Adjustment, CostProfile, ProfitabilitySettings, ShippingRate, Ticket
from comptoir.api.access import can_read, fetch, referenced
from comptoir.api.schemas import (
    Amount,
    AmountIn,
    CustomerRef,
    DocumentDate,
    DocumentRef,
    Id,
    InputSchema,
    Page,
    PageIn,
    PathId,
    QueryId,
    QuerySchema,
    paginate,
    responses,
)
from comptoir.crm.models import Opportunity
from comptoir.parties.models import Customer
from comptoir.returns.models import ReturnCase
from comptoir.sales.models import Order, Quote

router = Router(tags=["Temps et SAV"])

Activity = Literal["presales", "project", "aftersales", "admin"]
TicketKind = Literal["support", "intervention", "rework"]
TicketStatus = Literal["open", "in_progress", "resolved", "closed"]
Minutes = Field(ge=1, le=24 * 60, description="Durée en minutes (1 à 1 440).")
CostIn = AmountIn


class TimeUserRef(Schema):
    id: int
    username: str


class TimeEntryOut(Schema):
    id: int
    user: TimeUserRef
    date: datetime.date
    minutes: int
    customer: CustomerRef
    activity: Activity
    quote: DocumentRef | None
    order: DocumentRef | None
    return_case: DocumentRef | None
    ticket: DocumentRef | None
    opportunity: DocumentRef | None = Field(None, description="L'opportunité (CRM) du temps d'avant-vente.")
    note: str
    hourly_cost: Amount = Field(description="Coût horaire standard du profil de la personne à la saisie.")
    cost: Amount = Field(description="Coût du temps : minutes × coût horaire ÷ 60, au centime.")


class TimeEntryIn(InputSchema):
    customer: Id
    minutes: int = Minutes
    activity: Activity = Field(description="Activité ; un temps sur un ticket est de l'après-vente.")
    date: DocumentDate | None = Field(None, description="Jour travaillé (par défaut aujourd'hui).")
    user: Id | None = Field(None, description="Pour qui (direction seulement) ; par défaut soi-même.")
    quote: Id | None = None
    order: Id | None = None
    return_case: Id | None = None
    ticket: Id | None = None
    opportunity: Id | None = Field(
        None, description="Une opportunité du client : le temps est de l'avant-vente."
    )
    note: str = Field("", max_length=200)


class TimeCorrectionIn(InputSchema):
    minutes: int | None = Field(None, ge=1, le=24 * 60)
    activity: Activity | None = None
    date: DocumentDate | None = None
    note: str | None = Field(None, max_length=200)


class TimeQuery(QuerySchema):
    customer: QueryId = None
    ticket: QueryId = None


def _links(payload) -> dict:
    found = {}
    for name, queryset, code, label in (
        ("quote", Quote.objects.all(), "unknown_quote", "Le devis"),
        ("order", Order.objects.all(), "unknown_order", "La commande"),
        ("return_case", ReturnCase.objects.all(), "unknown_return_case", "Le dossier de retour"),
        ("ticket", Ticket.objects.all(), "unknown_ticket", "Le ticket"),
        ("opportunity", Opportunity.objects.all(), "unknown_opportunity", "L'opportunité"),
    ):
        pk = getattr(payload, name)
        found[name] = referenced(queryset, pk, code, label) if pk else None
    return found


@router.get("/time-entries", response=responses(Page[TimeEntryOut]), summary="Saisies de temps")
def list_time(request, query: Query[TimeQuery], page: Query[PageIn]):
    """Everyone's entries with `time.manage` (direction), else one's own; newest first."""
    user = can_read(request, "time.record")
    return paginate(selectors.time_entries(user, customer_id=query.customer, ticket_id=query.ticket), page)


@router.post(
    "/time-entries", response=responses(TimeEntryOut, 201), summary="Saisir du temps passé pour un client"
)
@transaction.atomic
def record_time(request, payload: TimeEntryIn):
    customer = referenced(Customer.objects.all(), payload.customer, "unknown_customer", "Le client")
    user = (
        referenced(get_user_model().objects.all(), payload.user, "unknown_user", "L'utilisateur")
        if payload.user
        else None
    )
    entry = services.record_time(
        by=request.auth,
        customer=customer,
        minutes=payload.minutes,
        activity=payload.activity,
        date=payload.date,
        user=user,
        note=payload.note,
        **_links(payload),
    )
    return Status(201, fetch(selectors.time_entries(request.auth), entry.pk))


@router.patch(
    "/time-entries/{entry_id}", response=responses(TimeEntryOut), summary="Corriger une saisie de temps"
)
@transaction.atomic
def correct_time(request, entry_id: PathId, payload: TimeCorrectionIn):
    entry = fetch(selectors.time_entries(request.auth), entry_id)
    changes = {key: value for key, value in payload.model_dump().items() if value is not None}
    services.correct_time(entry, by=request.auth, **changes)
    return fetch(selectors.time_entries(request.auth), entry_id)


class TicketOut(Schema):
    id: int
    number: str
    customer: CustomerRef
    order: DocumentRef | None
    kind: TicketKind
    status: TicketStatus
    title: str
    description: str
    opened_on: datetime.date
    resolved_on: datetime.date | None
    parts_cost: Amount
    travel_cost: Amount
    time_minutes: int = Field(description="Temps saisi sur le ticket, en minutes.")
    time_cost: Amount = Field(description="Coût du temps saisi sur le ticket.")

    @staticmethod
    def resolve_time_minutes(obj) -> int:
        return obj.time_minutes or 0

    @staticmethod
    def resolve_time_cost(obj) -> Decimal:
        return obj.time_cost or Decimal("0")


class TicketIn(InputSchema):
    customer: Id
    title: str = Field(min_length=1, max_length=200)
    kind: TicketKind = "support"
    description: str = Field("", max_length=5000)
    order: Id | None = Field(None, description="La commande d'origine.")
    opened_on: DocumentDate | None = None
    parts_cost: CostIn = Field(Decimal("0"), description="Pièces, au coût HT.")
    travel_cost: CostIn = Field(Decimal("0"), description="Déplacement, au coût HT.")


class TicketCostsIn(InputSchema):
    parts_cost: CostIn
    travel_cost: CostIn


class TicketMoveIn(InputSchema):
    status: TicketStatus
    date: DocumentDate | None = Field(None, description="Jour de résolution (par défaut aujourd'hui).")


class TicketQuery(QuerySchema):
    customer: QueryId = None
    status: TicketStatus | None = None


def _ticket(ticket_id: int):
    return fetch(selectors.tickets(), ticket_id)


@router.get("/tickets", response=responses(Page[TicketOut]), summary="Tickets SAV")
def list_tickets(request, query: Query[TicketQuery], page: Query[PageIn]):
    can_read(request, "ticket.view")
    return paginate(selectors.tickets(customer_id=query.customer, status=query.status), page)


@router.get("/tickets/{ticket_id}", response=responses(TicketOut), summary="Un ticket SAV")
def get_ticket(request, ticket_id: PathId):
    can_read(request, "ticket.view")
    return _ticket(ticket_id)


@router.post("/tickets", response=responses(TicketOut, 201), summary="Ouvrir un ticket SAV")
@transaction.atomic
def open_ticket(request, payload: TicketIn):
    customer = referenced(Customer.objects.all(), payload.customer, "unknown_customer", "Le client")
    order = (
        referenced(Order.objects.all(), payload.order, "unknown_order", "La commande")
        if payload.order
        else None
    )
    ticket = services.open_ticket(
        customer,
        by=request.auth,
        title=payload.title,
        kind=payload.kind,
        description=payload.description,
        order=order,
        opened_on=payload.opened_on,
        parts_cost=payload.parts_cost,
        travel_cost=payload.travel_cost,
    )
    return Status(201, _ticket(ticket.pk))


@router.post(
    "/tickets/{ticket_id}/costs",
    response=responses(TicketOut),
    summary="Coûts d'un ticket (pièces, déplacement)",
)
@transaction.atomic
def set_ticket_costs(request, ticket_id: PathId, payload: TicketCostsIn):
    services.set_ticket_costs(
        _ticket(ticket_id), by=request.auth, parts_cost=payload.parts_cost, travel_cost=payload.travel_cost
    )
    return _ticket(ticket_id)


@router.post("/tickets/{ticket_id}/status", response=responses(TicketOut), summary="Faire avancer un ticket")
@transaction.atomic
def move_ticket(request, ticket_id: PathId, payload: TicketMoveIn):
    services.move_ticket(_ticket(ticket_id), payload.status, by=request.auth, date=payload.date)
    return _ticket(ticket_id)


# --- what the real margin is priced with (direction) --------------------------------------------------------


class CostProfileIn(InputSchema):
    name: str = Field(min_length=1, max_length=80)
    hourly_cost: CostIn


class CostProfileOut(Schema):
    id: int
    name: str
    hourly_cost: Amount


class AssignIn(InputSchema):
    user: Id


@router.post(
    "/cost-profiles", response=responses(CostProfileOut, 201), summary="Créer un profil de coût horaire"
)
@transaction.atomic
def create_profile(request, payload: CostProfileIn):
    profile = services.create_profile(by=request.auth, name=payload.name, hourly_cost=payload.hourly_cost)
    return Status(201, profile)


@router.post(
    "/cost-profiles/{profile_id}/users",
    response=responses(CostProfileOut),
    summary="Attribuer un profil à un utilisateur",
)
@transaction.atomic
def assign_profile(request, profile_id: PathId, payload: AssignIn):
    profile = fetch(CostProfile.objects.all(), profile_id)
    user = referenced(get_user_model().objects.all(), payload.user, "unknown_user", "L'utilisateur")
    services.assign_profile(user, profile, by=request.auth)
    return profile


class ShippingRateIn(InputSchema):
    country: str = Field("FR", min_length=2, max_length=2, pattern="^[A-Z]{2}$")
    postal_prefix: str = Field("", max_length=5, pattern="^[0-9A-Z]*$")
    max_weight_kg: AmountIn | None = Field(
        None, description="Poids jusqu'auquel le tarif s'applique ; vide : sans limite."
    )
    cost: CostIn


class ShippingRateOut(Schema):
    id: int
    country: str
    postal_prefix: str
    max_weight_kg: Decimal | None
    cost: Amount


@router.post(
    "/shipping-rates",
    response=responses(ShippingRateOut, 201),
    summary="Ajouter un tarif transporteur (zone, poids)",
)
@transaction.atomic
def add_shipping_rate(request, payload: ShippingRateIn):
    rate = services.add_shipping_rate(by=request.auth, **payload.model_dump())
    return Status(201, rate)


@router.get("/shipping-rates", response=responses(list[ShippingRateOut]), summary="Tarifs transporteur")
def list_shipping_rates(request):
    can_read(request, "margin.view")
    return list(ShippingRate.objects.all())


class AdjustmentIn(InputSchema):
    customer: Id
    amount: AmountIn = Field(description="Coût exceptionnel (positif) ou gain (négatif), HT.")
    reason: str = Field(min_length=1, max_length=200)
    date: DocumentDate | None = None


class AdjustmentOut(Schema):
    id: int
    customer: CustomerRef
    date: datetime.date
    amount: Amount
    reason: str


@router.post(
    "/adjustments", response=responses(AdjustmentOut, 201), summary="Enregistrer un ajustement exceptionnel"
)
@transaction.atomic
def record_adjustment(request, payload: AdjustmentIn):
    customer = referenced(Customer.objects.all(), payload.customer, "unknown_customer", "Le client")
    adjustment = services.record_adjustment(
        customer, by=request.auth, amount=payload.amount, reason=payload.reason, date=payload.date
    )
    return Status(201, fetch(Adjustment.objects.select_related("customer"), adjustment.pk))


class FinancingRateIn(InputSchema):
    financing_rate: AmountIn = Field(description="Taux annuel en %, de 0 à 100.")


class FinancingRateOut(Schema):
    financing_rate: Amount


@router.get(
    "/financing-rate",
    response=responses(FinancingRateOut),
    summary="Taux de financement du retard de paiement",
)
def get_financing_rate(request):
    can_read(request, "margin.view")
    return {"financing_rate": selectors.financing_rate()}


@router.post("/financing-rate", response=responses(FinancingRateOut), summary="Régler le taux de financement")
@transaction.atomic
def set_financing_rate(request, payload: FinancingRateIn):
    row: ProfitabilitySettings = services.set_financing_rate(payload.financing_rate, by=request.auth)
    return {"financing_rate": row.financing_rate}
