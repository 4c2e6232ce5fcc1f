"""Customer payments, allocated to issued invoices (posted to the bank journal, lettered when settled)."""

import datetime
from decimal import Decimal
from typing import Literal

from django.db.models import Prefetch
from ninja import Field, Query, Router, Schema, Status

from comptoir.api.access import can_read, fetch, referenced
from comptoir.api.schemas import (
    Amount,
    AmountIn,
    CustomerRef,
    DocumentDate,
    Id,
    InputSchema,
    Page,
    PageIn,
    PathId,
    PeriodDate,
    QueryId,
    paginate,
    responses,
)
from comptoir.parties.models import Customer
from comptoir.payments import services
from comptoir.payments.models import Payment, PaymentAllocation

router = Router(tags=["Règlements"])

Method = Literal["transfer", "cheque", "card", "cash"]


class AllocationIn(InputSchema):
    invoice: Id
    amount: AmountIn


class PaymentIn(InputSchema):
    customer: Id
    amount: AmountIn
    method: Method
    date: DocumentDate | None = Field(None, description="Date d'encaissement (par défaut aujourd'hui).")
    reference: str = Field("", max_length=80)
    allocations: list[AllocationIn] = Field(
        default_factory=list, max_length=1000, description="Le reste demeure au crédit du compte client."
    )


class AllocationOut(Schema):
    invoice_id: int
    invoice_number: str | None
    amount: Amount

    @staticmethod
    def resolve_invoice_number(allocation):
        return allocation.invoice.number


class PaymentOut(Schema):
    id: int
    number: str
    customer: CustomerRef
    date: datetime.date
    method: Method
    reference: str
    amount: Amount
    unallocated: Amount = Field(description="Montant resté au crédit du client.")
    entry_id: int
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_unallocated(payment):
        if hasattr(payment, "reversal"):  # cancelled by a contra entry (payments.reversing)
            return Decimal("0")
        allocated = sum((a.amount for a in payment.allocations.all()), Decimal("0"))
        # Money paid for an invoice of the previous system (payments.opening) is allocated too.
        opening = sum((a.amount for a in payment.opening_allocations.all()), Decimal("0"))
        # An excess written off as a gain (payments.writing_off) is used up.
        gained = sum((w.amount for w in payment.write_offs.all() if w.kind == "gain"), Decimal("0"))
        return payment.amount - allocated - opening - gained


class PaymentFilters(PageIn):
    customer: QueryId = None
    date_from: PeriodDate | None = None
    date_to: PeriodDate | None = None


def _payments():
    return Payment.objects.select_related("customer", "reversal").prefetch_related(
        "write_offs",
        Prefetch("allocations", queryset=PaymentAllocation.objects.select_related("invoice").order_by("id")),
        "opening_allocations",  # read by `unallocated`: one query for the page, not one per payment
    )


@router.get("", response=responses(Page[PaymentOut]), summary="Lister les règlements")
def list_payments(request, filters: Query[PaymentFilters]):
    can_read(request, "payment.view")
    qs = _payments().order_by("-date", "-id")
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    return paginate(qs, filters)


@router.post("", response=responses(PaymentOut, 201), summary="Enregistrer un règlement")
# One service, one transaction of its own; the answer is read after its commit (docs/architecture.md).
def register_payment(request, payload: PaymentIn):
    customer = referenced(Customer.objects.all(), payload.customer, "unknown_customer", "Le client")
    payment = services.register_payment(
        customer,
        by=request.auth,
        amount=payload.amount,
        method=payload.method,
        date=payload.date,
        reference=payload.reference,
        allocations=[allocation.model_dump() for allocation in payload.allocations],
    )
    return Status(201, fetch(_payments(), payment.pk))


@router.get("/{payment_id}", response=responses(PaymentOut), summary="Consulter un règlement")
def get_payment(request, payment_id: PathId):
    can_read(request, "payment.view")
    return fetch(_payments(), payment_id)


class AllocateIn(InputSchema):
    allocations: list[AllocationIn] = Field(min_length=1, max_length=1000)
    date: DocumentDate | None = Field(None, description="Date de l'affectation (par défaut aujourd'hui).")


@router.post(
    "/{payment_id}/allocate",
    response=responses(PaymentOut),
    summary="Affecter ce qui reste d'un règlement à des factures",
)
def allocate_payment(request, payment_id: PathId, payload: AllocateIn):
    can_read(request, "payment.view")
    payment = fetch(Payment.objects.all(), payment_id)
    services.allocate_payment(
        payment,
        [allocation.model_dump() for allocation in payload.allocations],
        by=request.auth,
        date=payload.date,
    )
    return fetch(_payments(), payment.pk)
