"""Quotes and sales orders. Order progress (delivered, invoiced) is derived from line quantities."""

import datetime
from typing import Literal

from django.db import transaction
from django.db.models import Prefetch, Q
from ninja import Field, Query, Router, Schema, Status

from comptoir.api.access import can_read, fetch, referenced
from comptoir.api.files import attachment, binary
from comptoir.api.schemas import (
    Amount,
    CustomerRef,
    DocumentDate,
    DocumentRef,
    Id,
    InputSchema,
    Page,
    PageIn,
    PathId,
    Percent,
    PercentIn,
    ProductRef,
    Quantity,
    QuantityIn,
    QueryId,
    ReasonIn,
    UnitPrice,
    UnitPriceIn,
    paginate,
    responses,
)
from comptoir.catalog.models import Product
from comptoir.core import dates
from comptoir.crm.models import Opportunity
from comptoir.parties.models import Customer, DeliveryAddress
from comptoir.sales import discounts, printing, progress, services
from comptoir.sales.models import Order, OrderLine, Quote, QuoteLine

quotes = Router(tags=["Devis"])
orders = Router(tags=["Commandes"])

DiscountCategoryIn = Literal[
    "volume",
    "negotiated",
    "gesture",
    "promotion",
    "early_payment",
    "year_end_rebate",
    "other",
    "uncategorised",
]


class SalesLineIn(InputSchema):
    product: Id
    quantity: QuantityIn
    unit_price: UnitPriceIn = Field(None, description="Par défaut, le prix de vente du produit.")
    discount_percent: PercentIn = Field(None, description="Remise en %, de 0 à 100.")
    discount_category: DiscountCategoryIn | None = Field(
        None,
        description="Pourquoi la remise est accordée : volume, negotiated (négociée), gesture (geste "
        "commercial), promotion, early_payment (escompte), year_end_rebate (RFA), other. Une remise sans "
        "catégorie est enregistrée « uncategorised ».",
    )
    description: str = Field(None, max_length=250, description="Par défaut, la désignation du produit.")


class SalesLineOut(Schema):
    id: int
    position: int
    product: ProductRef
    description: str
    quantity: Quantity
    unit_price: UnitPrice
    discount_percent: Percent
    vat_rate: Percent
    vat_category: str = Field(description="Catégorie de TVA EN 16931 : S, Z, E, AE, K ou G.")
    vat_exemption_reason: str
    net_amount: Amount
    discount_category: str = Field(description="Catégorie de la remise ; vide sans remise.")
    price_explanation: str = Field(
        description="D'où vient le prix : « liste Grossistes 2026, palier ≥ 50 », « prix spécifique client », "
        "« prix catalogue » ou « prix saisi »."
    )


class DiscountApprovalOut(Schema):
    granted_by: str | None = Field(description="Qui a accordé les remises des lignes.")
    approved_by: str | None = Field(description="Qui les a approuvées (quatre yeux), s'il a fallu.")
    approved_at: datetime.datetime | None
    approved_percent: Percent | None = Field(description="Remise la plus forte approuvée.")


def _approval(document) -> dict:
    return {
        "granted_by": document.discount_granted_by.get_username()
        if document.discount_granted_by_id
        else None,
        "approved_by": document.discount_approved_by.get_username()
        if document.discount_approved_by_id
        else None,
        "approved_at": document.discount_approved_at,
        "approved_percent": document.discount_approved_percent,
    }


def _lines(payload_lines: list[SalesLineIn]) -> list[dict]:
    return [line.model_dump(exclude_none=True) for line in payload_lines]


# --- Quotes -------------------------------------------------------------------------------------


class QuoteIn(InputSchema):
    customer: Id
    lines: list[SalesLineIn] = Field(max_length=1000)
    date: DocumentDate | None = None
    valid_until: DocumentDate | None = None
    note: str = Field("", max_length=5000)
    opportunity: Id | None = Field(
        None,
        description="L'opportunité (CRM) du client à laquelle le devis répond ; son acceptation la gagne.",
    )


class AcceptIn(InputSchema):
    date: DocumentDate | None = Field(None, description="Date de l'acceptation (par défaut aujourd'hui).")
    customer_reference: str = Field("", max_length=60, description="Référence de commande du client.")


class QuoteOut(Schema):
    id: int
    number: str
    status: str
    customer: CustomerRef
    date: datetime.date
    valid_until: datetime.date | None
    note: str
    total_untaxed: Amount
    total_vat: Amount
    total: Amount
    order_id: int | None = Field(None, description="La commande créée à l'acceptation.")
    expired: bool = Field(
        False,
        description="Envoyé et dépassé sa date de validité : le client ne peut plus l'accepter "
        "(l'état reste « sent » ; renouvelez-le par POST /quotes/{id}/renew).",
    )
    renewed_from_id: int | None = Field(None, description="Le devis que celui-ci renouvelle.")
    version: int = Field(1, description="1 pour le devis d'origine, 2, 3… pour ses révisions.")
    previous_version_id: int | None = Field(None, description="La version que celle-ci révise.")
    first_version_id: int | None = Field(None, description="La version 1, pour une révision.")
    opportunity_id: int | None = Field(None, description="L'opportunité (CRM) à laquelle il répond.")
    lines: list[SalesLineOut]
    discount_approval: DiscountApprovalOut

    @staticmethod
    def resolve_discount_approval(quote):
        return _approval(quote)

    @staticmethod
    def resolve_order_id(quote):
        order = getattr(quote, "order", None)
        return order.pk if order else None

    @staticmethod
    def resolve_expired(quote):
        return quote.is_expired(dates.today())


class QuoteFilters(PageIn):
    status: Literal["draft", "sent", "accepted", "refused", "cancelled", "superseded"] | None = None
    expired: bool | None = Field(None, description="true : les devis expirés ; false : tous les autres.")
    customer: QueryId = None


def _quotes():
    return Quote.objects.select_related(
        "customer", "order", "discount_granted_by", "discount_approved_by"
    ).prefetch_related(
        Prefetch("lines", queryset=QuoteLine.objects.select_related("product").order_by("position", "id"))
    )


@quotes.get("", response=responses(Page[QuoteOut]), summary="Lister les devis")
def list_quotes(request, filters: Query[QuoteFilters]):
    can_read(request, "quote.view")
    qs = _quotes().order_by("-date", "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.expired is not None:
        lapsed = Q(status=Quote.Status.SENT, valid_until__lt=dates.today())
        qs = qs.filter(lapsed) if filters.expired else qs.exclude(lapsed)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    return paginate(qs, filters)


@quotes.post("", response=responses(QuoteOut, 201), summary="Créer un devis")
@transaction.atomic
def create_quote(request, payload: QuoteIn):
    customer = referenced(Customer.objects.all(), payload.customer, "unknown_customer", "Le client")
    opportunity = (
        referenced(
            Opportunity.objects.select_related("customer"),
            payload.opportunity,
            "unknown_opportunity",
            "L'opportunité",
        )
        if payload.opportunity
        else None
    )
    quote = services.create_quote(
        customer,
        _lines(payload.lines),
        by=request.auth,
        date=payload.date,
        valid_until=payload.valid_until,
        note=payload.note,
        opportunity=opportunity,
    )
    return Status(201, fetch(_quotes(), quote.pk))


@quotes.get("/{quote_id}", response=responses(QuoteOut), summary="Consulter un devis")
def get_quote(request, quote_id: PathId):
    can_read(request, "quote.view")
    return fetch(_quotes(), quote_id)


@quotes.get(
    "/{quote_id}/pdf",
    response=responses(None),
    summary="Télécharger le devis en PDF",
    openapi_extra=binary("application/pdf"),
)
def quote_pdf(request, quote_id: PathId):
    """Le devis tel qu'il est maintenant (brouillon compris), avec la zone « Bon pour accord »."""
    can_read(request, "quote.view")
    return attachment(printing.quote_pdf(fetch(_quotes(), quote_id)))


@quotes.post("/{quote_id}/send", response=responses(QuoteOut), summary="Envoyer le devis au client")
@transaction.atomic
def send_quote(request, quote_id: PathId):
    services.send_quote(fetch(Quote.objects.all(), quote_id), by=request.auth)
    return fetch(_quotes(), quote_id)


@quotes.post(
    "/{quote_id}/approve-discounts",
    response=responses(QuoteOut),
    summary="Approuver les remises d'un devis (quatre yeux)",
)
@transaction.atomic
def approve_quote_discounts(request, quote_id: PathId, payload: ReasonIn | None = None):
    """Une remise au-delà du seuil du rôle de qui l'a accordée bloque l'envoi (409
    `discount_approval_required`) jusqu'à ce qu'une autre personne dont le seuil la couvre l'approuve
    (403 `approval_same_person`, `discount_approval_beyond_threshold` ; 409 `discount_approval_not_needed`)."""
    discounts.approve_discounts(
        fetch(Quote.objects.all(), quote_id), by=request.auth, reason=payload.reason if payload else ""
    )
    return fetch(_quotes(), quote_id)


@quotes.post("/{quote_id}/refuse", response=responses(QuoteOut), summary="Le client refuse le devis")
@transaction.atomic
def refuse_quote(request, quote_id: PathId, payload: ReasonIn | None = None):
    reason = payload.reason if payload else ""
    services.refuse_quote(fetch(Quote.objects.all(), quote_id), by=request.auth, reason=reason)
    return fetch(_quotes(), quote_id)


@quotes.post("/{quote_id}/cancel", response=responses(QuoteOut), summary="Annuler un devis")
@transaction.atomic
def cancel_quote(request, quote_id: PathId, payload: ReasonIn | None = None):
    reason = payload.reason if payload else ""
    services.cancel_quote(fetch(Quote.objects.all(), quote_id), by=request.auth, reason=reason)
    return fetch(_quotes(), quote_id)


@quotes.post(
    "/{quote_id}/renew",
    response=responses(QuoteOut, 201),
    summary="Renouveler un devis (nouveau brouillon avec les mêmes lignes)",
)
@transaction.atomic
def renew_quote(request, quote_id: PathId):
    renewal = services.renew_quote(fetch(Quote.objects.all(), quote_id), by=request.auth)
    return Status(201, fetch(_quotes(), renewal.pk))


# --- Orders -------------------------------------------------------------------------------------


class OrderIn(InputSchema):
    customer: Id
    lines: list[SalesLineIn] = Field(max_length=1000)
    date: DocumentDate | None = None
    customer_reference: str = Field("", max_length=60)
    delivery_address: Id | None = Field(None, description="Une adresse de livraison du client.")


class OrderLineOut(SalesLineOut):
    quantity_delivered: Quantity
    quantity_invoiced: Quantity
    quantity_to_deliver: Quantity


class OrderOut(Schema):
    id: int
    number: str
    status: str
    customer: CustomerRef
    quote: DocumentRef | None
    date: datetime.date
    customer_reference: str
    channel: Literal["manual", "api", "email", "document", "edi"] = Field(
        description="Canal d'arrivée : saisie (manual), API, e-mail reçu, PDF ou scan déposé (document), EDI."
    )
    delivery_address_id: int | None
    confirmed_at: datetime.datetime | None
    requested_date: datetime.date | None = Field(
        None, description="Livraison souhaitée (modifiable par avenant)."
    )
    total_untaxed: Amount
    total_vat: Amount
    total: Amount
    delivery_progress: Literal["none", "partial", "done"] | None = Field(
        None,
        description="Livraison des biens : none, partial ou done ; null si la commande n'a que des services.",
    )
    invoicing_progress: Literal["none", "partial", "done"] = Field(
        description="Facturation : none, partial ou done."
    )
    lines: list[OrderLineOut]
    discount_approval: DiscountApprovalOut

    @staticmethod
    def resolve_discount_approval(order):
        return _approval(order)

    @staticmethod
    def resolve_delivery_progress(order):
        goods = [line for line in order.lines.all() if line.product.kind == Product.Kind.GOODS]
        return progress.delivery_progress(goods) if goods else None

    @staticmethod
    def resolve_invoicing_progress(order):
        return progress.invoicing_progress(order.lines.all())


class OrderFilters(PageIn):
    status: Literal["draft", "confirmed", "cancelled"] | None = None
    customer: QueryId = None


def orders_with_lines():
    return Order.objects.select_related(
        "customer", "quote", "discount_granted_by", "discount_approved_by"
    ).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("position", "id"))
    )


@quotes.post(
    "/{quote_id}/accept", response=responses(OrderOut, 201), summary="Le client accepte : créer la commande"
)
@transaction.atomic
def accept_quote(request, quote_id: PathId, payload: AcceptIn | None = None):
    payload = payload or AcceptIn()
    order = services.accept_quote(
        fetch(Quote.objects.all(), quote_id),
        by=request.auth,
        date=payload.date,
        customer_reference=payload.customer_reference,
        channel=Order.Channel.API,
    )
    return Status(201, fetch(orders_with_lines(), order.pk))


@orders.get("", response=responses(Page[OrderOut]), summary="Lister les commandes")
def list_orders(request, filters: Query[OrderFilters]):
    can_read(request, "order.view")
    qs = orders_with_lines().order_by("-date", "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    return paginate(qs, filters)


@orders.post("", response=responses(OrderOut, 201), summary="Créer une commande")
# One service, one transaction of its own; the answer is read after its commit (docs/architecture.md).
def create_order(request, payload: OrderIn):
    customer = referenced(Customer.objects.all(), payload.customer, "unknown_customer", "Le client")
    address = None
    if payload.delivery_address is not None:
        address = referenced(
            DeliveryAddress.objects.filter(customer=customer),
            payload.delivery_address,
            "unknown_delivery_address",
            "L'adresse de livraison de ce client",
        )
    order = services.create_order(
        customer,
        _lines(payload.lines),
        by=request.auth,
        date=payload.date,
        customer_reference=payload.customer_reference,
        delivery_address=address,
        channel=Order.Channel.API,
    )
    return Status(201, fetch(orders_with_lines(), order.pk))


@orders.get("/{order_id}", response=responses(OrderOut), summary="Consulter une commande")
def get_order(request, order_id: PathId):
    can_read(request, "order.view")
    return fetch(orders_with_lines(), order_id)


@orders.get(
    "/{order_id}/pdf",
    response=responses(None),
    summary="Télécharger la confirmation de commande en PDF",
    openapi_extra=binary("application/pdf"),
)
def order_pdf(request, order_id: PathId):
    can_read(request, "order.view")
    return attachment(printing.order_pdf(fetch(orders_with_lines(), order_id)))


@orders.post("/{order_id}/confirm", response=responses(OrderOut), summary="Confirmer une commande")
# One service, one transaction of its own; the answer is read after its commit (docs/architecture.md).
def confirm_order(request, order_id: PathId):
    services.confirm_order(fetch(Order.objects.all(), order_id), by=request.auth)
    return fetch(orders_with_lines(), order_id)


@orders.post(
    "/{order_id}/approve-discounts",
    response=responses(OrderOut),
    summary="Approuver les remises d'une commande (quatre yeux)",
)
@transaction.atomic
def approve_order_discounts(request, order_id: PathId, payload: ReasonIn | None = None):
    """Comme pour un devis : la confirmation attend l'approbation d'une remise au-delà du seuil."""
    discounts.approve_discounts(
        fetch(Order.objects.all(), order_id), by=request.auth, reason=payload.reason if payload else ""
    )
    return fetch(orders_with_lines(), order_id)


@orders.post("/{order_id}/cancel", response=responses(OrderOut), summary="Annuler une commande")
@transaction.atomic
def cancel_order(request, order_id: PathId, payload: ReasonIn | None = None):
    reason = payload.reason if payload else ""
    services.cancel_order(fetch(Order.objects.all(), order_id), by=request.auth, reason=reason)
    return fetch(orders_with_lines(), order_id)
