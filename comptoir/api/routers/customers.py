"""Customers, their contacts and delivery addresses, and their account statement."""

import datetime
from typing import Literal

from django.db import transaction
from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status

from comptoir.accounting import selectors as ledger_view
from comptoir.api.access import can_read, fetch
from comptoir.api.schemas import (
    Amount,
    CustomerRef,
    Email,
    InputSchema,
    Page,
    PageIn,
    PathId,
    PeriodDate,
    QuerySchema,
    paginate,
    responses,
)
from comptoir.parties import services
from comptoir.parties.models import Customer

router = Router(tags=["Clients"])

VatRegimeIn = Literal["france", "eu", "export"]


class ContactIn(InputSchema):
    name: str = Field(max_length=120)
    job_title: str = Field("", max_length=80)
    email: Email = ""
    phone: str = Field("", max_length=30)


class DeliveryAddressIn(InputSchema):
    label: str = Field(max_length=80)
    street: str = Field("", max_length=200)
    street2: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=12)
    city: str = Field("", max_length=100)
    country: str = Field("FR", min_length=2, max_length=2)


class CustomerIn(InputSchema):
    code: str = Field("", max_length=20, description="Laissé vide : attribué automatiquement (C00001…).")
    name: str = Field(max_length=200)
    siren: str = Field("", max_length=20)
    siret: str = Field("", max_length=20)
    vat_number: str = Field("", max_length=20)
    email: Email = ""
    phone: str = Field("", max_length=30)
    street: str = Field("", max_length=200)
    street2: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=12)
    city: str = Field("", max_length=100)
    country: str = Field("FR", min_length=2, max_length=2)
    payment_days: int = Field(30, ge=0, le=366)
    payment_end_of_month: bool = False
    vat_regime: VatRegimeIn = Field(None, description="Par défaut, déduit du pays (france, eu ou export).")
    einvoice_address: str = Field(
        "",
        max_length=125,
        description="Adresse de facturation électronique (BT-49) quand ni le SIREN ni le numéro de TVA ne servent.",
    )
    einvoice_scheme: str = Field(
        "", max_length=4, description="Son schéma, code EAS à 4 chiffres (0225 par défaut, 0183 IDE suisse…)."
    )
    is_active: bool = True
    contacts: list[ContactIn] = Field(default_factory=list, max_length=100)
    delivery_addresses: list[DeliveryAddressIn] = Field(default_factory=list, max_length=100)


class CustomerPatch(InputSchema):
    """Only the fields sent are changed; `null` is not a value (send "" to clear a text field)."""

    name: str = Field(None, max_length=200)
    siren: str = Field(None, max_length=20)
    siret: str = Field(None, max_length=20)
    vat_number: str = Field(None, max_length=20)
    email: Email = None
    phone: str = Field(None, max_length=30)
    street: str = Field(None, max_length=200)
    street2: str = Field(None, max_length=200)
    postal_code: str = Field(None, max_length=12)
    city: str = Field(None, max_length=100)
    country: str = Field(None, min_length=2, max_length=2)
    payment_days: int = Field(None, ge=0, le=366)
    payment_end_of_month: bool = Field(None)
    vat_regime: VatRegimeIn = Field(None)
    einvoice_address: str = Field(None, max_length=125)
    einvoice_scheme: str = Field(None, max_length=4)
    is_active: bool = Field(None)


class ContactOut(Schema):
    id: int
    name: str
    job_title: str
    email: str
    phone: str


class DeliveryAddressOut(Schema):
    id: int
    label: str
    street: str
    street2: str
    postal_code: str
    city: str
    country: str


class CustomerOut(Schema):
    id: int
    code: str
    name: str
    siren: str
    siret: str
    vat_number: str
    email: str
    phone: str
    street: str
    street2: str
    postal_code: str
    city: str
    country: str
    payment_days: int
    payment_end_of_month: bool
    vat_regime: str
    einvoice_address: str
    einvoice_scheme: str
    is_active: bool
    created_at: datetime.datetime
    contacts: list[ContactOut]
    delivery_addresses: list[DeliveryAddressOut]


class CustomerFilters(PageIn):
    search: str | None = Field(None, max_length=100, description="Code, raison sociale, SIREN ou ville.")
    active: bool | None = None


class StatementFilters(QuerySchema):
    date_from: PeriodDate | None = None
    date_to: PeriodDate | None = None


class StatementLineOut(Schema):
    date: datetime.date
    entry_number: str
    journal: str
    document_number: str
    label: str
    debit: Amount
    credit: Amount
    balance: Amount
    letter: str


class StatementOut(Schema):
    customer: CustomerRef
    opening: Amount
    total_debit: Amount
    total_credit: Amount
    balance: Amount
    lines: list[StatementLineOut]


def _customers():
    return Customer.objects.prefetch_related("contacts", "delivery_addresses")


@router.get("", response=responses(Page[CustomerOut]), summary="Lister les clients")
def list_customers(request, filters: Query[CustomerFilters]):
    can_read(request, "customer.view")
    qs = _customers().order_by("name", "id")
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


@router.post("", response=responses(CustomerOut, 201), summary="Créer un client")
@transaction.atomic
def create_customer(request, payload: CustomerIn):
    data = payload.model_dump(exclude_none=True)
    customer = services.create_customer(
        by=request.auth,
        contacts=data.pop("contacts"),
        delivery_addresses=data.pop("delivery_addresses"),
        **data,
    )
    return Status(201, fetch(_customers(), customer.pk))


@router.get("/{customer_id}", response=responses(CustomerOut), summary="Consulter un client")
def get_customer(request, customer_id: PathId):
    can_read(request, "customer.view")
    return fetch(_customers(), customer_id)


@router.patch("/{customer_id}", response=responses(CustomerOut), summary="Modifier un client")
@transaction.atomic
def update_customer(request, customer_id: PathId, payload: CustomerPatch):
    customer = fetch(Customer.objects.all(), customer_id)
    services.update_customer(customer, by=request.auth, **payload.model_dump(exclude_unset=True))
    return fetch(_customers(), customer_id)


@router.post("/{customer_id}/contacts", response=responses(ContactOut, 201), summary="Ajouter un contact")
@transaction.atomic
def add_contact(request, customer_id: PathId, payload: ContactIn):
    customer = fetch(Customer.objects.all(), customer_id)
    return Status(201, services.add_contact(customer, by=request.auth, **payload.model_dump()))


@router.post(
    "/{customer_id}/delivery-addresses",
    response=responses(DeliveryAddressOut, 201),
    summary="Ajouter une adresse de livraison",
)
@transaction.atomic
def add_delivery_address(request, customer_id: PathId, payload: DeliveryAddressIn):
    customer = fetch(Customer.objects.all(), customer_id)
    return Status(201, services.add_delivery_address(customer, by=request.auth, **payload.model_dump()))


@router.get(
    "/{customer_id}/statement", response=responses(StatementOut), summary="Relevé de compte client (411)"
)
def customer_statement(request, customer_id: PathId, filters: Query[StatementFilters]):
    can_read(request, "accounting.view")
    customer = fetch(Customer.objects.all(), customer_id)
    ledger = ledger_view.customer_statement(customer, filters.date_from, filters.date_to)
    return {
        "customer": customer,
        "opening": ledger.opening,
        "total_debit": ledger.total_debit,
        "total_credit": ledger.total_credit,
        "balance": ledger.balance,
        "lines": ledger.lines,
    }
