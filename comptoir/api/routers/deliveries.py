"""Delivery notes (bons de livraison) for confirmed orders."""

import datetime
from typing import Literal

from django.db import transaction
from django.db.models import Prefetch
from ninja import Field, Query, Router, Schema, Status

from comptoir.api.access import can_read, fetch, referenced
from comptoir.api.files import attachment, binary
from comptoir.api.routers.returns import DiscrepanciesOut, discrepancies_of
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
    ProductRef,
    Quantity,
    QuantityIn,
    QueryId,
    ReasonIn,
    UnitPrice,
    paginate,
    responses,
)
from comptoir.sales.models import Order
from comptoir.stock import editing, logistics, printing, services
from comptoir.stock.models import Delivery, DeliveryLine

router = Router(tags=["Livraisons"])


class DeliveryLineIn(InputSchema):
    order_line: Id
    quantity: QuantityIn


class DeliveryIn(InputSchema):
    order: Id
    lines: list[DeliveryLineIn] | None = Field(
        None, max_length=1000, description="Absent : tout ce qui reste à livrer sur la commande."
    )
    date: DocumentDate | None = None


class EditedLineIn(InputSchema):
    line: Id = Field(description="Identifiant de la ligne du bon (lines[].id).")
    quantity: QuantityIn = Field(description="Nouvelle quantité, inférieure ou égale ; 0 retire la ligne.")


class EditDeliveryIn(InputSchema):
    lines: list[EditedLineIn] = Field(..., min_length=1, max_length=1000)


class ValidateDeliveryIn(InputSchema):
    date: DocumentDate | None = Field(None, description="Date d'expédition (par défaut celle du bon).")


class DeliveryLineOut(Schema):
    id: int
    order_line_id: int
    product: ProductRef
    quantity: Quantity
    unit_cost: UnitPrice | None = Field(description="Coût moyen à la sortie du stock (une fois expédiée).")


class DeliveryOut(Schema):
    id: int
    number: str
    status: str
    order: DocumentRef
    customer: CustomerRef
    date: datetime.date
    validated_at: datetime.datetime | None
    lines: list[DeliveryLineOut]

    @staticmethod
    def resolve_customer(delivery):
        return delivery.order.customer


class DeliveryFilters(PageIn):
    status: Literal["draft", "validated", "cancelled"] | None = None
    order: QueryId = None
    customer: QueryId = None


def _deliveries():
    return Delivery.objects.select_related("order__customer").prefetch_related(
        Prefetch("lines", queryset=DeliveryLine.objects.select_related("product").order_by("id"))
    )


@router.get("", response=responses(Page[DeliveryOut]), summary="Lister les bons de livraison")
def list_deliveries(request, filters: Query[DeliveryFilters]):
    can_read(request, "delivery.view")
    qs = _deliveries().order_by("-date", "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.order:
        qs = qs.filter(order_id=filters.order)
    if filters.customer:
        qs = qs.filter(order__customer_id=filters.customer)
    return paginate(qs, filters)


@router.post("", response=responses(DeliveryOut, 201), summary="Préparer un bon de livraison")
# One service, one transaction of its own; the answer is read after its commit (docs/architecture.md).
def create_delivery(request, payload: DeliveryIn):
    order = referenced(Order.objects.all(), payload.order, "unknown_order", "La commande")
    lines = None if payload.lines is None else [line.model_dump() for line in payload.lines]
    delivery = services.create_delivery(order, lines, by=request.auth, date=payload.date)
    return Status(201, fetch(_deliveries(), delivery.pk))


@router.get("/{delivery_id}", response=responses(DeliveryOut), summary="Consulter un bon de livraison")
def get_delivery(request, delivery_id: PathId):
    can_read(request, "delivery.view")
    return fetch(_deliveries(), delivery_id)


@router.get(
    "/{delivery_id}/pdf",
    response=responses(None),
    summary="Télécharger le bon de livraison en PDF",
    openapi_extra=binary("application/pdf"),
)
def delivery_pdf(request, delivery_id: PathId):
    """Avec la zone « Reçu en bon état » que signe le destinataire."""
    can_read(request, "delivery.view")
    return attachment(printing.delivery_pdf(fetch(_deliveries(), delivery_id)))


@router.get(
    "/{delivery_id}/picking-list",
    response=responses(None),
    summary="Télécharger la liste de préparation en PDF",
    openapi_extra=binary("application/pdf"),
)
def delivery_picking_list(request, delivery_id: PathId):
    """Ce que le magasin prélève pour ce bon : une case à cocher par ligne, le stock au moment d'imprimer."""
    can_read(request, "delivery.view")
    return attachment(
        printing.picking_pdf([fetch(_deliveries().select_related("order__delivery_address"), delivery_id)])
    )


@router.post(
    "/{delivery_id}/edit",
    response=responses(DeliveryOut),
    summary="Modifier un bon à préparer (baisser, retirer)",
)
# One service, one transaction of its own; the answer is read after its commit (docs/architecture.md).
def edit_delivery(request, delivery_id: PathId, payload: EditDeliveryIn):
    """Avant l'expédition : baisser la quantité d'une ligne quand le stock manque, ou la retirer (0).
    Une quantité ne peut pas monter ; ce qui est retiré reste à livrer sur la commande."""
    quantities = {line.line: line.quantity for line in payload.lines}
    editing.edit_delivery(fetch(Delivery.objects.all(), delivery_id), quantities, by=request.auth)
    return fetch(_deliveries(), delivery_id)


@router.get(
    "/{delivery_id}/discrepancies",
    response=responses(DiscrepanciesOut),
    summary="Écarts et retours déclarés sur une livraison",
)
def delivery_discrepancies(request, delivery_id: PathId):
    can_read(request, "return.view")
    return discrepancies_of(fetch(Delivery.objects.all(), delivery_id))


@router.post(
    "/{delivery_id}/validate", response=responses(DeliveryOut), summary="Expédier (valider) la livraison"
)
# One service, one transaction of its own; the answer is read after its commit (docs/architecture.md).
def validate_delivery(request, delivery_id: PathId, payload: ValidateDeliveryIn | None = None):
    date = payload.date if payload else None
    services.validate_delivery(fetch(Delivery.objects.all(), delivery_id), by=request.auth, date=date)
    return fetch(_deliveries(), delivery_id)


@router.post("/{delivery_id}/cancel", response=responses(DeliveryOut), summary="Annuler un bon à préparer")
@transaction.atomic
def cancel_delivery(request, delivery_id: PathId, payload: ReasonIn | None = None):
    reason = payload.reason if payload else ""
    services.cancel_delivery(fetch(Delivery.objects.all(), delivery_id), by=request.auth, reason=reason)
    return fetch(_deliveries(), delivery_id)


class LogisticsIn(InputSchema):
    carrier_cost: AmountIn | None = Field(
        None, description="Coût transporteur HT ; vide : le tarif zone/poids."
    )
    weight_kg: QuantityIn | None = Field(None, description="Poids expédié (kg).")
    urgent_absorbed: bool = Field(False, description="Urgence payée par l'entreprise « pour la relation ».")
    urgent_reason: str = Field(
        "", max_length=200, description="Motif, obligatoire pour une urgence absorbée."
    )


class LogisticsOut(Schema):
    id: int
    number: str
    carrier_cost: Amount | None
    weight_kg: Quantity | None
    urgent_absorbed: bool
    urgent_reason: str


@router.post(
    "/{delivery_id}/logistics",
    response=responses(LogisticsOut),
    summary="Coût logistique d'un bon (transporteur, poids, urgence absorbée)",
)
@transaction.atomic
def set_logistics(request, delivery_id: PathId, payload: LogisticsIn):
    delivery = fetch(Delivery.objects.all(), delivery_id)
    return logistics.set_logistics(delivery, by=request.auth, **payload.model_dump())
