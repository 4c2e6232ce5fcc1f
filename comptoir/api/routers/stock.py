"""Goods receipts and stock levels."""

import datetime
from typing import Literal

from django.db import transaction
from django.db.models import Prefetch, Q
from ninja import Field, Query, Router, Schema, Status

from comptoir.api.access import can_read, fetch
from comptoir.api.schemas import (
    DocumentDate,
    Id,
    InputSchema,
    Page,
    PageIn,
    PathId,
    ProductRef,
    Quantity,
    QuantityIn,
    UnitPrice,
    UnitPriceIn,
    paginate,
    responses,
)
from comptoir.catalog.models import Product
from comptoir.stock import selectors as stock_view
from comptoir.stock import services
from comptoir.stock.models import Receipt, ReceiptLine

router = Router(tags=["Stock"])


class ReceiptLineIn(InputSchema):
    product: Id
    quantity: QuantityIn
    unit_cost: UnitPriceIn = Field(None, description="Par défaut, le coût d'achat du produit.")


class ReceiptIn(InputSchema):
    lines: list[ReceiptLineIn] = Field(max_length=1000)
    supplier_name: str = Field("", max_length=200)
    date: DocumentDate | None = None
    validate_now: bool = Field(
        True,
        alias="validate",
        description="true (défaut) : les marchandises sont entrées en stock tout de suite ; "
        "false : réception prévue (quantités « à recevoir »), à valider ensuite.",
    )


class ReceiptLineOut(Schema):
    id: int
    product: ProductRef
    quantity: Quantity
    unit_cost: UnitPrice


class ReceiptOut(Schema):
    id: int
    number: str
    status: str
    supplier_name: str
    date: datetime.date
    validated_at: datetime.datetime | None
    lines: list[ReceiptLineOut]


class ReceiptFilters(PageIn):
    status: Literal["draft", "validated", "cancelled"] | None = None


class LevelOut(Schema):
    product: ProductRef
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    incoming: Quantity
    backorder: Quantity
    average_cost: UnitPrice
    is_low: bool


class LevelFilters(PageIn):
    search: str | None = Field(None, max_length=100, description="Référence ou désignation.")
    product: list[PathId] | None = Field(None, description="Restreindre à ces produits (ids).")


def _receipts():
    return Receipt.objects.prefetch_related(
        Prefetch("lines", queryset=ReceiptLine.objects.select_related("product").order_by("id"))
    )


@router.get("/receipts", response=responses(Page[ReceiptOut]), summary="Lister les réceptions")
def list_receipts(request, filters: Query[ReceiptFilters]):
    can_read(request, "stock.view")
    qs = _receipts().order_by("-date", "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(qs, filters)


@router.post("/receipts", response=responses(ReceiptOut, 201), summary="Réceptionner des marchandises")
@transaction.atomic
def create_receipt(request, payload: ReceiptIn):
    lines = [line.model_dump(exclude_none=True) for line in payload.lines]
    kwargs = {"by": request.auth, "supplier_name": payload.supplier_name, "date": payload.date}
    if payload.validate_now:
        receipt = services.receive_stock(lines, **kwargs)
    else:
        receipt = services.create_receipt(lines, **kwargs)
    return Status(201, fetch(_receipts(), receipt.pk))


@router.get("/receipts/{receipt_id}", response=responses(ReceiptOut), summary="Consulter une réception")
def get_receipt(request, receipt_id: PathId):
    can_read(request, "stock.view")
    return fetch(_receipts(), receipt_id)


@router.post(
    "/receipts/{receipt_id}/validate", response=responses(ReceiptOut), summary="Valider une réception"
)
@transaction.atomic
def validate_receipt(request, receipt_id: PathId):
    services.validate_receipt(fetch(Receipt.objects.all(), receipt_id), by=request.auth)
    return fetch(_receipts(), receipt_id)


@router.post(
    "/receipts/{receipt_id}/cancel", response=responses(ReceiptOut), summary="Annuler une réception prévue"
)
@transaction.atomic
def cancel_receipt(request, receipt_id: PathId):
    services.cancel_receipt(fetch(Receipt.objects.all(), receipt_id), by=request.auth)
    return fetch(_receipts(), receipt_id)


@router.get("/levels", response=responses(Page[LevelOut]), summary="Niveaux de stock par produit")
def stock_levels(request, filters: Query[LevelFilters]):
    """On hand, reserved by confirmed orders, available, incoming (planned receipts) and backorder."""
    can_read(request, "stock.view")
    products = Product.objects.filter(kind=Product.Kind.GOODS, is_active=True).order_by("sku", "id")
    if filters.search:
        term = filters.search.strip()
        products = products.filter(Q(sku__icontains=term) | Q(name__icontains=term))
    if filters.product:
        products = products.filter(pk__in=filters.product)
    page = paginate(products, filters)
    page["items"] = stock_view.stock_levels(page["items"])
    return page
