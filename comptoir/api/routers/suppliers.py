"""Suppliers: their card (identifiers, bank account, payment terms, auxiliary account under 401)."""

import datetime

from django.db import transaction
from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status

from comptoir.api.access import can_read, fetch
from comptoir.api.schemas import Email, InputSchema, Page, PageIn, PathId, paginate, responses
from comptoir.parties import suppliers as services
from comptoir.parties.models import Supplier

router = Router(tags=["Fournisseurs"])


class SupplierIn(InputSchema):
    code: str = Field("", max_length=20, description="Laissé vide : attribué automatiquement (F00001…).")
    name: str = Field(max_length=200)
    siren: str = Field("", max_length=20)
    siret: str = Field("", max_length=20)
    vat_number: str = Field("", max_length=20)
    iban: str = Field("", max_length=42)
    bic: str = Field("", max_length=11)
    email: Email = ""
    phone: str = Field("", max_length=30)
    street: str = Field("", max_length=200)
    street2: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=12)
    city: str = Field("", max_length=100)
    country: str = Field("FR", min_length=2, max_length=2)
    payment_days: int = Field(30, ge=0, le=366)
    payment_end_of_month: bool = False
    account: str = Field(
        "", max_length=20, description="Compte auxiliaire sous le 401 ; laissé vide : 401 suivi du code."
    )
    is_active: bool = True


class SupplierPatch(InputSchema):
    """Only the fields sent are changed; `null` is not a value (send "" to clear a text field)."""

    name: str = Field(None, max_length=200)
    siren: str = Field(None, max_length=20)
    siret: str = Field(None, max_length=20)
    vat_number: str = Field(None, max_length=20)
    iban: str = Field(None, max_length=42)
    bic: str = Field(None, max_length=11)
    email: Email = None
    phone: str = Field(None, max_length=30)
    street: str = Field(None, max_length=200)
    street2: str = Field(None, max_length=200)
    postal_code: str = Field(None, max_length=12)
    city: str = Field(None, max_length=100)
    country: str = Field(None, min_length=2, max_length=2)
    payment_days: int = Field(None, ge=0, le=366)
    payment_end_of_month: bool = Field(None)
    account: str = Field(None, max_length=20)
    is_active: bool = Field(None)


class SupplierOut(Schema):
    id: int
    code: str
    name: str
    siren: str
    siret: str
    vat_number: str
    iban: str
    bic: str
    email: str
    phone: str
    street: str
    street2: str
    postal_code: str
    city: str
    country: str
    payment_days: int
    payment_end_of_month: bool
    account: str
    is_active: bool
    created_at: datetime.datetime


class SupplierFilters(PageIn):
    search: str | None = Field(None, max_length=100, description="Code, raison sociale, SIREN ou ville.")
    active: bool | None = None


@router.get("", response=responses(Page[SupplierOut]), summary="Lister les fournisseurs")
def list_suppliers(request, filters: Query[SupplierFilters]):
    can_read(request, "supplier.view")
    qs = Supplier.objects.order_by("name", "id")
    if filters.search:
        term = filters.search.strip()
        qs = qs.filter(
            Q(name__icontains=term)
            | Q(code__icontains=term)
            | Q(siren__startswith=term.replace(" ", ""))
            | Q(city__icontains=term)
        )
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return paginate(qs, filters)


@router.post("", response=responses(SupplierOut, 201), summary="Créer un fournisseur")
@transaction.atomic
def create_supplier(request, payload: SupplierIn):
    supplier = services.create_supplier(by=request.auth, **payload.model_dump(exclude_none=True))
    return Status(201, supplier)


@router.get("/{supplier_id}", response=responses(SupplierOut), summary="Consulter un fournisseur")
def get_supplier(request, supplier_id: PathId):
    can_read(request, "supplier.view")
    return fetch(Supplier.objects.all(), supplier_id)


@router.patch("/{supplier_id}", response=responses(SupplierOut), summary="Modifier un fournisseur")
@transaction.atomic
def update_supplier(request, supplier_id: PathId, payload: SupplierPatch):
    supplier = fetch(Supplier.objects.all(), supplier_id)
    return services.update_supplier(supplier, by=request.auth, **payload.model_dump(exclude_unset=True))
