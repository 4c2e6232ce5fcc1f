"""Products of the catalogue."""

import datetime
from typing import Literal

from django.db import transaction
from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status

from comptoir.api.access import can_read, fetch
from comptoir.api.schemas import (
    DocumentDate,
    InputSchema,
    Page,
    PageIn,
    PathId,
    Percent,
    PercentIn,
    Quantity,
    QuantityIn,
    UnitPrice,
    UnitPriceIn,
    paginate,
    responses,
)
from comptoir.catalog import services
from comptoir.catalog.models import Product

router = Router(tags=["Produits"])

Kind = Literal["goods", "service"]


class ProductIn(InputSchema):
    sku: str = Field(max_length=40)
    name: str = Field(max_length=200)
    sale_price: UnitPriceIn
    ean: str = Field("", max_length=20)
    unit: str = Field("pièce", max_length=20)
    kind: Kind = "goods"
    purchase_cost: UnitPriceIn = None
    vat_rate: PercentIn = None
    vat_exemption_reason: str = Field(
        "", max_length=200, description="Produit exonéré : la base légale (taux 0)."
    )
    vat_exemption_code: str = Field("", max_length=30, description="Code VATEX de l'exonération.")
    low_stock_threshold: QuantityIn = None
    is_active: bool = True
    customs_code: str = Field(
        "", max_length=12, description="Nomenclature douanière NC8 (8 chiffres), pour l'EMEBI."
    )
    net_mass_kg: QuantityIn = Field(None, description="Masse nette d'une unité vendue, en kg.")
    origin_country: str = Field("", max_length=2, description="Pays d'origine (code ISO à deux lettres).")


class ProductPatch(InputSchema):
    """Only the fields sent are changed; `null` is not a value."""

    name: str = Field(None, max_length=200)
    ean: str = Field(None, max_length=20)
    unit: str = Field(None, max_length=20)
    kind: Kind = None
    sale_price: UnitPriceIn = None
    purchase_cost: UnitPriceIn = None
    vat_rate: PercentIn = None
    vat_exemption_reason: str = Field(None, max_length=200)
    vat_exemption_code: str = Field(None, max_length=30)
    low_stock_threshold: QuantityIn = None
    is_active: bool = None
    customs_code: str = Field(None, max_length=12)
    net_mass_kg: QuantityIn = None
    origin_country: str = Field(None, max_length=2)
    vat_rate_from: DocumentDate = Field(
        None,
        description="Nouveau taux : premier jour où il s'applique (aujourd'hui par défaut, jamais futur). "
        "Ce qui a été livré avant garde l'ancien taux.",
    )
    vat_rate_correction: bool = Field(
        None,
        description="La fiche était fausse : le nouveau taux vaut aussi pour ce qui n'est pas encore facturé.",
    )


class ProductOut(Schema):
    id: int
    sku: str
    ean: str
    name: str
    unit: str
    kind: str
    sale_price: UnitPrice
    purchase_cost: UnitPrice
    vat_rate: Percent
    vat_exemption_reason: str
    vat_exemption_code: str
    low_stock_threshold: Quantity
    is_active: bool
    customs_code: str
    net_mass_kg: Quantity | None
    origin_country: str
    vat_rate_since: datetime.date | None = Field(
        description="Premier jour du taux actuel, s'il a changé ; null : depuis la création."
    )


class ProductFilters(PageIn):
    search: str | None = Field(None, max_length=100, description="Référence, EAN ou désignation.")
    kind: Kind | None = None
    active: bool | None = None


@router.get("", response=responses(Page[ProductOut]), summary="Lister les produits")
def list_products(request, filters: Query[ProductFilters]):
    can_read(request, "product.view")
    qs = Product.objects.order_by("sku", "id")
    if filters.search:
        term = filters.search.strip()
        qs = qs.filter(Q(sku__icontains=term) | Q(name__icontains=term) | Q(ean=term))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return paginate(qs, filters)


@router.post("", response=responses(ProductOut, 201), summary="Créer un produit")
@transaction.atomic
def create_product(request, payload: ProductIn):
    # Fields left out keep the model's defaults (cost 0, VAT 20 %, no stock alert).
    data = {key: value for key, value in payload.model_dump().items() if value is not None}
    return Status(201, services.create_product(by=request.auth, **data))


@router.get("/{product_id}", response=responses(ProductOut), summary="Consulter un produit")
def get_product(request, product_id: PathId):
    can_read(request, "product.view")
    return fetch(Product.objects.all(), product_id)


@router.patch("/{product_id}", response=responses(ProductOut), summary="Modifier un produit")
@transaction.atomic
def update_product(request, product_id: PathId, payload: ProductPatch):
    product = fetch(Product.objects.all(), product_id)
    return services.update_product(product, by=request.auth, **payload.model_dump(exclude_unset=True))
