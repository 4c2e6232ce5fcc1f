"""Prices (pricing): price lists per customer or group with quantity breaks, customer prices, the price a
customer pays and why, the discount thresholds per role, the discounts waiting for approval, and the
discounts granted to a customer summed by category (docs/architecture.md, « Pricing »)."""

import datetime
from decimal import Decimal

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status

from comptoir.api.access import can_read, fetch, referenced
from comptoir.api.schemas import (
    Amount,
    CustomerRef,
    DocumentDate,
    Id,
    InputSchema,
    PathId,
    Percent,
    PercentIn,
    ProductRef,
    Quantity,
    QuantityIn,
    QuerySchema,
    UnitPrice,
    UnitPriceIn,
    responses,
)
from comptoir.catalog.models import Product
from comptoir.core import permissions
from comptoir.insights.discounts import discounts_by_category
from comptoir.parties.models import Customer
from comptoir.pricing import selectors, services
from comptoir.pricing.models import CustomerGroup, PriceList
from comptoir.sales import discounts

router = Router(tags=["Prix et remises"])


class PriceListLineIn(InputSchema):
    product: Id
    min_quantity: QuantityIn = Field(Decimal("1"), description="Palier : à partir de cette quantité.")
    price: UnitPriceIn | None = Field(None, description="Prix HT fixe ; ou bien percent_off.")
    percent_off: PercentIn | None = Field(None, description="Remise en % sur le prix catalogue.")


class PriceListIn(InputSchema):
    name: str = Field(max_length=120)
    customer: Id | None = Field(None, description="Le client de la liste ; ou bien group.")
    group: Id | None = Field(None, description="Le groupe de clients de la liste.")
    valid_from: DocumentDate | None = None
    valid_until: DocumentDate | None = None
    is_active: bool = True
    lines: list[PriceListLineIn] = Field([], max_length=5000)


class PriceListLineOut(Schema):
    product: ProductRef
    min_quantity: Quantity
    price: UnitPrice | None
    percent_off: Percent | None


class GroupRef(Schema):
    id: int
    code: str
    name: str


class PriceListOut(Schema):
    id: int
    name: str
    customer: CustomerRef | None
    group: GroupRef | None
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    is_active: bool
    lines: list[PriceListLineOut]

    @staticmethod
    def resolve_lines(price_list):
        return list(selectors.price_list_lines(price_list))


def _target(payload: PriceListIn):
    customer = (
        referenced(Customer.objects.all(), payload.customer, "unknown_customer", "Le client")
        if payload.customer
        else None
    )
    group = (
        referenced(
            CustomerGroup.objects.all(), payload.group, "unknown_customer_group", "Le groupe de clients"
        )
        if payload.group
        else None
    )
    return customer, group


def _line_data(payload: PriceListIn) -> list[dict]:
    return [line.model_dump(exclude_none=True) for line in payload.lines]


@router.get("/price-lists", response=responses(list[PriceListOut]), summary="Lister les listes de prix")
def list_price_lists(request):
    can_read(request, "quote.view")
    return list(selectors.price_lists())


@router.post("/price-lists", response=responses(PriceListOut, 201), summary="Créer une liste de prix")
@transaction.atomic
def create_price_list(request, payload: PriceListIn):
    customer, group = _target(payload)
    price_list = services.create_price_list(
        payload.name,
        customer=customer,
        group=group,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        lines=_line_data(payload),
        by=request.auth,
    )
    return Status(201, fetch(selectors.price_lists(), price_list.pk))


@router.get("/price-lists/{list_id}", response=responses(PriceListOut), summary="Consulter une liste de prix")
def get_price_list(request, list_id: PathId):
    can_read(request, "quote.view")
    return fetch(selectors.price_lists(), list_id)


@router.put(
    "/price-lists/{list_id}",
    response=responses(PriceListOut),
    summary="Modifier une liste de prix (ses lignes remplacées)",
)
@transaction.atomic
def update_price_list(request, list_id: PathId, payload: PriceListIn):
    price_list = fetch(PriceList.objects.all(), list_id)
    customer, group = _target(payload)
    services.update_price_list(
        price_list,
        name=payload.name,
        customer=customer,
        group=group,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        is_active=payload.is_active,
        by=request.auth,
    )
    services.set_price_list_lines(price_list, _line_data(payload), by=request.auth)
    return fetch(selectors.price_lists(), list_id)


class CustomerPriceIn(InputSchema):
    customer: Id
    product: Id
    price: UnitPriceIn
    valid_from: DocumentDate | None = None
    valid_until: DocumentDate | None = None


class CustomerPriceOut(Schema):
    id: int
    customer: CustomerRef
    product: ProductRef
    price: UnitPrice
    valid_from: datetime.date | None
    valid_until: datetime.date | None


@router.post(
    "/customer-prices", response=responses(CustomerPriceOut, 201), summary="Fixer un prix spécifique client"
)
@transaction.atomic
def set_customer_price(request, payload: CustomerPriceIn):
    customer = referenced(Customer.objects.all(), payload.customer, "unknown_customer", "Le client")
    product = referenced(Product.objects.all(), payload.product, "unknown_product", "Le produit")
    row = services.set_customer_price(
        customer,
        product,
        payload.price,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        by=request.auth,
    )
    return Status(201, row)


class PriceQuery(QuerySchema):
    customer: int = Field(ge=1)
    product: int = Field(ge=1)
    quantity: QuantityIn = Decimal("1")
    date: DocumentDate | None = Field(None, description="Par défaut aujourd'hui.")


class PriceOut(Schema):
    price: UnitPrice
    source: str = Field(description="customer_price, customer_list, group_list ou catalogue.")
    explanation: str


@router.get(
    "/price", response=responses(PriceOut), summary="Le prix d'un produit pour un client, et pourquoi"
)
def price(request, query: Query[PriceQuery]):
    can_read(request, "quote.view")
    customer = referenced(Customer.objects.all(), query.customer, "unknown_customer", "Le client")
    product = referenced(Product.objects.all(), query.product, "unknown_product", "Le produit")
    return selectors.price_for(customer, product, query.quantity, query.date)


class ThresholdsIn(InputSchema):
    thresholds: dict[str, PercentIn | None] = Field(
        description="Rôle (commercial, adv, logistique, comptabilite, direction, admin) → remise maximale "
        "accordée sans approbation, en % ; null : illimitée."
    )


class ThresholdOut(Schema):
    role: str
    label: str
    max_percent: Percent | None


def _thresholds():
    values = selectors.discount_thresholds()
    return [
        {
            "role": role,
            "label": str(permissions.ROLE_LABELS[role]),
            "max_percent": values.get(role, Decimal("0")),
        }
        for role in permissions.ALL_ROLES
    ]


@router.get(
    "/discount-thresholds", response=responses(list[ThresholdOut]), summary="Seuils de remise par rôle"
)
def get_thresholds(request):
    can_read(request, "quote.view")
    return _thresholds()


@router.put(
    "/discount-thresholds",
    response=responses(list[ThresholdOut]),
    summary="Fixer les seuils de remise (direction)",
)
@transaction.atomic
def set_thresholds(request, payload: ThresholdsIn):
    services.set_discount_thresholds(payload.thresholds, by=request.auth)
    return _thresholds()


class PendingApprovalOut(Schema):
    kind: str = Field(description="quote ou order.")
    id: int
    number: str
    customer: CustomerRef
    max_percent: Percent
    granted_by: str
    granter_threshold: Percent | None
    who_may_approve: str


@router.get(
    "/discount-approvals",
    response=responses(list[PendingApprovalOut]),
    summary="Devis et commandes dont les remises attendent une approbation",
)
def pending(request):
    can_read(request, "quote.view")
    return [
        {
            "kind": "quote" if document._meta.model_name == "quote" else "order",
            "id": document.pk,
            "number": document.number,
            "customer": document.customer,
            "max_percent": state.max_percent,
            "granted_by": state.granted_by.get_username(),
            "granter_threshold": state.threshold,
            "who_may_approve": state.who_may_approve,
        }
        for document, state in discounts.pending_approvals()
    ]


class DiscountsQuery(QuerySchema):
    customer: int = Field(ge=1)
    date_from: DocumentDate = Field(alias="from")
    date_to: DocumentDate = Field(alias="to")


class DiscountCategoryOut(Schema):
    category: str
    label: str
    line_discounts: Amount = Field(description="Remises des lignes (avoirs déduits).")
    allowances: Amount = Field(description="Remises globales (avoirs déduits).")
    total: Amount


@router.get(
    "/discounts",
    response=responses(list[DiscountCategoryOut]),
    summary="Remises accordées à un client sur une période, par catégorie",
)
def discounts_of_customer(request, query: Query[DiscountsQuery]):
    can_read(request, "invoice.view")
    customer = referenced(Customer.objects.all(), query.customer, "unknown_customer", "Le client")
    return discounts_by_category(customer, query.date_from, query.date_to)
