"""Credit notes outside a case's resolution (a correction or a commercial gesture), their application to
an invoice and their refund, with the four eyes above the thresholds: a gesture approved by another person,
a refund asked for and approved (`/refund-requests`)."""

import datetime
from typing import Literal

from django.db import transaction
from django.db.models import Prefetch
from ninja import Field, Query, Router, Schema, Status

from comptoir.api.access import can_read, fetch, referenced
from comptoir.api.openapi import operation_id
from comptoir.api.routers.invoices import InvoiceOut
from comptoir.api.routers.returns import DecisionIn
from comptoir.api.routers.returns_schemas import InvoiceRef
from comptoir.api.schemas import (
    Amount,
    AmountIn,
    DocumentDate,
    Id,
    InputSchema,
    Page,
    PageIn,
    PathId,
    QuantityIn,
    QueryId,
    ReasonIn,
    UnitPriceIn,
    paginate,
    responses,
)
from comptoir.billing import approving
from comptoir.billing import services as billing
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.payments import refunding
from comptoir.payments import selectors as payment_view
from comptoir.payments import services as payments
from comptoir.payments.models import Payment, RefundRequest
from comptoir.returns.models import ReturnCase

router = Router(tags=["Avoirs"])
refund_requests = Router(tags=["Avoirs"])

Method = Literal[tuple(Payment.Method.values)]

# These endpoints were first published from routers/returns.py: they keep the operation ids clients were
# generated from (Ninja derives them from the module otherwise).
RETURNS = "comptoir.api.routers.returns"


class CreditLineIn(InputSchema):
    invoice_line: Id
    quantity: QuantityIn
    unit_price: UnitPriceIn | None = Field(
        None, description="Correction de prix : montant crédité par unité."
    )
    price_reduction: bool | None = Field(
        None,
        description="true : réduction de prix sur des unités que le client garde (sans reprise de quantité) ; "
        "par défaut, dès que unit_price est inférieur au prix facturé.",
    )


class CreditNoteIn(InputSchema):
    invoice: Id = Field(description="La facture émise à corriger.")
    lines: list[CreditLineIn] = Field(max_length=1000)
    reason: str = Field("", max_length=500)
    case: Id | None = Field(None, description="Le dossier de retour qui justifie l'avoir…")
    gesture_category: str = Field(
        "", max_length=40, description="… ou, sans dossier, la catégorie du geste commercial."
    )


class ApplyCreditIn(InputSchema):
    invoice: Id = Field(description="Facture émise du même client, dont l'avoir réduit le reste dû.")
    amount: AmountIn | None = Field(
        None, description="Par défaut, autant que l'avoir et la facture le permettent."
    )
    date: DocumentDate | None = None


class RefundIn(InputSchema):
    method: Method
    amount: AmountIn | None = Field(None, description="Par défaut, tout ce qui reste sur l'avoir.")
    date: DocumentDate | None = None
    reference: str = Field("", max_length=80)


class CreditApplicationOut(Schema):
    id: int
    credit_note: InvoiceRef
    invoice: InvoiceRef
    amount: Amount
    date: datetime.date


class RefundOut(Schema):
    id: int
    number: str
    credit_note: InvoiceRef
    amount: Amount
    method: Method
    date: datetime.date
    reference: str
    entry_id: int


def _invoice_detail(pk: int):
    qs = Invoice.objects.select_related("customer", "order").prefetch_related(
        "taxes",
        Prefetch("lines", queryset=InvoiceLine.objects.select_related("product").order_by("position", "id")),
    )
    return fetch(payment_view.with_amount_paid(qs), pk)


def _credit_note(pk: int) -> Invoice:
    return fetch(Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE), pk)


@router.post(
    "",
    response=responses(InvoiceOut, 201),
    summary="Préparer un avoir sur une facture émise (dossier de retour ou geste commercial)",
    description=(
        "Crée un avoir brouillon (série AV), émis ensuite par `POST /invoices/{id}/issue` comme toute "
        "facture. Un avoir issu d'un dossier de retour se fait plutôt par `POST /returns/{id}/resolve`, "
        "qui l'émet et l'impute d'un coup."
    ),
    operation_id=operation_id(RETURNS, "create_credit_note"),
)
@transaction.atomic
def create_credit_note(request, payload: CreditNoteIn):
    invoice = referenced(Invoice.objects.all(), payload.invoice, "unknown_invoice", "La facture")
    case_number = ""
    if payload.case:
        case_number = referenced(
            ReturnCase.objects.all(), payload.case, "unknown_return_case", "Le dossier"
        ).number
    note = billing.create_credit_note(
        invoice,
        [line.model_dump(exclude_none=True) for line in payload.lines],
        by=request.auth,
        reason=payload.reason,
        source_reference=case_number,
        gesture_category=payload.gesture_category,
    )
    return Status(201, _invoice_detail(note.pk))


@router.post(
    "/{credit_note_id}/apply",
    response=responses(CreditApplicationOut, 201),
    summary="Imputer un avoir émis sur une facture du client",
    operation_id=operation_id(RETURNS, "apply_credit_note"),
)
@transaction.atomic
def apply_credit_note(request, credit_note_id: PathId, payload: ApplyCreditIn):
    note = _credit_note(credit_note_id)
    invoice = referenced(Invoice.objects.all(), payload.invoice, "unknown_invoice", "La facture")
    application = payments.apply_credit_note(
        note, invoice, by=request.auth, amount=payload.amount, date=payload.date
    )
    return Status(201, application)


@router.post(
    "/{credit_note_id}/refund",
    response=responses(RefundOut, 201),
    summary="Rembourser un avoir au client",
    description=(
        "Paie aussitôt tant que les remboursements de l'avoir, celui-ci compris, restent sous le seuil des "
        "remboursements ; au-delà, répond 403 `refund_approval_required` : passer par "
        "`POST /credit-notes/{id}/refund-requests`, qu'une autre personne habilitée approuve."
    ),
    operation_id=operation_id(RETURNS, "refund_credit_note"),
)
@transaction.atomic
def refund_credit_note(request, credit_note_id: PathId, payload: RefundIn):
    refund = payments.refund_credit_note(
        _credit_note(credit_note_id),
        by=request.auth,
        method=payload.method,
        date=payload.date,
        reference=payload.reference,
        amount=payload.amount,
    )
    return Status(201, refund)


# --- Four eyes: gestures and refunds above their thresholds --------------------------------------------


@router.post(
    "/{credit_note_id}/approve",
    response=responses(InvoiceOut),
    summary="Approuver un geste commercial préparé par une autre personne",
    description=(
        "Au-delà du seuil des gestes commerciaux (cumulé sur la facture, réglé dans les paramètres), un avoir "
        "sans dossier de retour ne peut être émis qu'après l'approbation d'une autre personne habilitée "
        "(`credit_note.gesture`) : jamais celle qui l'a préparé."
    ),
    operation_id=operation_id(RETURNS, "approve_credit_note"),
)
@transaction.atomic
def approve_credit_note(request, credit_note_id: PathId, payload: DecisionIn | None = None):
    note = approving.approve_credit_note(
        _credit_note(credit_note_id), by=request.auth, reason=payload.reason if payload else ""
    )
    return _invoice_detail(note.pk)


@router.post(
    "/{credit_note_id}/refuse",
    response=responses(InvoiceOut),
    summary="Refuser un geste commercial (le brouillon est annulé)",
    operation_id=operation_id(RETURNS, "refuse_credit_note"),
)
@transaction.atomic
def refuse_credit_note(request, credit_note_id: PathId, payload: ReasonIn):
    note = approving.refuse_credit_note(_credit_note(credit_note_id), by=request.auth, reason=payload.reason)
    return _invoice_detail(note.pk)


class RefundRequestIn(InputSchema):
    method: Method
    amount: AmountIn | None = Field(None, description="Par défaut, tout ce qui reste sur l'avoir.")
    reference: str = Field("", max_length=80)


class RefundApprovalIn(InputSchema):
    date: DocumentDate | None = Field(None, description="Date du remboursement (par défaut aujourd'hui).")
    reason: str = Field("", max_length=2000)


class RefundRequestOut(Schema):
    id: int
    credit_note: InvoiceRef
    amount: Amount
    method: Method
    reference: str
    status: Literal["pending", "approved", "refused"]
    requested_by: str | None
    requested_at: datetime.datetime
    decided_by: str | None
    decided_at: datetime.datetime | None
    decision_reason: str
    refund: RefundOut | None

    @staticmethod
    def resolve_requested_by(request):
        return request.requested_by.get_username() if request.requested_by_id else None

    @staticmethod
    def resolve_decided_by(request):
        return request.decided_by.get_username() if request.decided_by_id else None


class RefundRequestFilters(PageIn):
    status: Literal["pending", "approved", "refused"] | None = None
    credit_note: QueryId = None


def _refund_requests():
    return RefundRequest.objects.select_related(
        "credit_note", "requested_by", "decided_by", "refund__credit_note"
    ).order_by("-requested_at", "-id")


@router.post(
    "/{credit_note_id}/refund-requests",
    response=responses(RefundRequestOut, 201),
    summary="Demander un remboursement à faire approuver",
    description=(
        "Au-delà du seuil des remboursements (cumulé sur l'avoir), `POST /credit-notes/{id}/refund` répond "
        "`refund_approval_required` : la demande réserve le montant sur l'avoir, une autre personne "
        "habilitée l'approuve (`POST /refund-requests/{id}/approve`, qui paie) ou la refuse."
    ),
    operation_id=operation_id(RETURNS, "request_refund"),
)
@transaction.atomic
def request_refund(request, credit_note_id: PathId, payload: RefundRequestIn):
    asked = refunding.request_refund(
        _credit_note(credit_note_id),
        by=request.auth,
        method=payload.method,
        amount=payload.amount,
        reference=payload.reference,
    )
    return Status(201, _refund_requests().get(pk=asked.pk))


@refund_requests.get(
    "",
    response=responses(Page[RefundRequestOut]),
    summary="Lister les demandes de remboursement",
    operation_id=operation_id(RETURNS, "list_refund_requests"),
)
def list_refund_requests(request, filters: Query[RefundRequestFilters]):
    can_read(request, "payment.view")
    qs = _refund_requests()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.credit_note:
        qs = qs.filter(credit_note_id=filters.credit_note)
    return paginate(qs, filters)


@refund_requests.post(
    "/{request_id}/approve",
    response=responses(RefundOut, 201),
    summary="Approuver la demande de remboursement d'une autre personne et payer",
    operation_id=operation_id(RETURNS, "approve_refund"),
)
@transaction.atomic
def approve_refund(request, request_id: PathId, payload: RefundApprovalIn | None = None):
    refund = refunding.approve_refund(
        fetch(RefundRequest.objects.all(), request_id),
        by=request.auth,
        date=payload.date if payload else None,
        reason=payload.reason if payload else "",
    )
    return Status(201, refund)


@refund_requests.post(
    "/{request_id}/refuse",
    response=responses(RefundRequestOut),
    summary="Refuser une demande de remboursement",
    operation_id=operation_id(RETURNS, "refuse_refund"),
)
@transaction.atomic
def refuse_refund(request, request_id: PathId, payload: ReasonIn):
    refused = refunding.refuse_refund(
        fetch(RefundRequest.objects.all(), request_id), by=request.auth, reason=payload.reason
    )
    return _refund_requests().get(pk=refused.pk)
