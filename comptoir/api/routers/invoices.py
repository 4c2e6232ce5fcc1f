"""Customer invoices: draft from an order, issue (number, freeze, sales entry), cancel a draft.

The payment state of an invoice is derived from its payment allocations (payments.selectors), never
stored on the invoice.
"""

import datetime
from typing import Literal

from django.db import transaction
from django.db.models import F, Prefetch
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from comptoir.api.access import can_read, fetch, referenced
from comptoir.api.files import attachment, binary
from comptoir.api.routers.sales import DiscountCategoryIn
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
    Percent,
    PercentIn,
    ProductRef,
    Quantity,
    QueryId,
    ReasonIn,
    UnitPrice,
    paginate,
    responses,
)
from comptoir.billing import adjusting, approving, einvoicing, services
from comptoir.billing.models import AllowanceCharge, Invoice, InvoiceLine
from comptoir.core.taxes import Adjustment, document_totals
from comptoir.payments import selectors as payment_view
from comptoir.sales.models import Order

router = Router(tags=["Factures"])


class InvoiceIn(InputSchema):
    order: Id = Field(description="La commande à facturer : ce qui est livré (biens) ou commandé (services).")


class IssueIn(InputSchema):
    date: DocumentDate | None = Field(
        None, description="Date de facture (par défaut aujourd'hui, jamais future)."
    )


class ServicePeriodIn(InputSchema):
    start: DocumentDate | None = Field(
        description="Jour de la prestation, ou début de la période ; null pour revenir à la date de facture."
    )
    end: DocumentDate | None = Field(None, description="Fin de la période, quand elle dure plusieurs jours.")


class AllowanceChargeIn(InputSchema):
    kind: Literal["allowance", "charge"] = Field(
        description="allowance : remise globale (BG-20) ; charge : frais de port, emballage… (BG-21)."
    )
    amount: AmountIn | None = Field(None, description="Montant HT ; ou bien un pourcentage (percent).")
    percent: PercentIn | None = Field(None, description="Pourcentage de la base (base_amount).")
    base_amount: AmountIn | None = Field(
        None, description="Base du pourcentage ; par défaut, les lignes du même taux et de la même catégorie."
    )
    reason: str = Field("", max_length=100, description="Motif (BT-97 / BT-104).")
    reason_code: str = Field(
        "",
        max_length=3,
        description="Code UNTDID 5189 (remises : 95, 100, 102…) ou 7161 (frais : FC port, PC emballage…).",
    )
    vat_rate: PercentIn | None = Field(
        None, description="Taux de TVA ; par défaut celui des lignes quand elles en ont un seul."
    )
    vat_category: str = Field("", max_length=2, description="Catégorie de TVA EN 16931 (S par défaut).")
    discount_category: DiscountCategoryIn | None = Field(
        None,
        description="Remise globale : sa catégorie (volume, negotiated, gesture, promotion, early_payment, "
        "year_end_rebate, other) ; sans catégorie : uncategorised. Ignorée pour des frais.",
    )


class EarlyDiscountIn(InputSchema):
    percent: PercentIn = Field(description="Taux d'escompte ; 0 pour n'en offrir aucun.")
    days: int = Field(0, ge=0, le=365, description="Délai, en jours après la date de facture.")


class AllowanceChargeOut(Schema):
    id: int
    kind: str
    amount: Amount
    percent: Percent | None
    base_amount: Amount | None
    reason: str
    reason_code: str
    discount_category: str = Field(description="Catégorie de la remise globale ; vide pour des frais.")
    vat_rate: Percent
    vat_category: str

    @staticmethod
    def resolve_kind(item):
        return "charge" if item.is_charge else "allowance"


class InvoiceLineOut(Schema):
    id: int
    position: int
    order_line_id: int | None
    delivery_line_id: int | None
    product: ProductRef
    description: str
    quantity: Quantity
    unit_price: UnitPrice
    discount_percent: Percent
    discount_category: str = Field(
        description="Catégorie de la remise, reprise de la commande ; vide sans remise."
    )
    vat_rate: Percent
    vat_category: str
    vat_exemption_reason: str
    net_amount: Amount


class TaxOut(Schema):
    vat_rate: Percent
    category: str = Field("S", description="Catégorie de TVA EN 16931 : S, Z, E, AE, K ou G.")
    exemption_reason: str = ""
    base: Amount
    amount: Amount
    amount_on_receipts: Amount | None = Field(
        None,
        description=(
            "Part exigible à l'encaissement (services, acomptes), en attente au 44574 ; connue à "
            "l'émission. Pour un avoir : la part de sa TVA extournée sur le 44574, là où attendait la TVA "
            "de la facture corrigée."
        ),
    )


class PaymentStateOut(Schema):
    status: Literal["open", "partial", "paid"]
    label: str
    paid: Amount
    balance_due: Amount


class GestureApprovalOut(Schema):
    required: bool = Field(
        description="Au-delà du seuil (cumulé sur la facture) : une autre personne approuve."
    )
    pending: bool = Field(
        description="Approbation requise et pas encore donnée : l'avoir ne peut pas être émis."
    )
    cumulated: Amount = Field(description="Ce geste et les précédents sur la même facture (HT).")
    threshold: Amount
    approved_by: str | None
    approved_at: datetime.datetime | None


class InvoiceOut(Schema):
    id: int
    number: str | None = Field(description="Attribué à l'émission.")
    kind: str = Field(description="invoice, credit_note ou deposit.")
    corrects_id: int | None = Field(description="La facture que cet avoir corrige.")
    series: str
    status: str
    customer: CustomerRef
    order: DocumentRef | None
    date: datetime.date | None
    due_date: datetime.date | None
    total_lines: Amount = Field(description="BT-106 : somme des lignes HT.")
    total_allowances: Amount = Field(description="BT-107 : remises globales HT.")
    total_charges: Amount = Field(description="BT-108 : frais HT.")
    total_untaxed: Amount = Field(description="BT-109 : lignes − remises + frais.")
    total_vat: Amount
    total: Amount
    early_discount_percent: Percent = Field(description="Escompte pour paiement anticipé (0 : aucun).")
    early_discount_days: int
    early_discount_until: datetime.date | None = Field(description="Date limite, fixée à l'émission.")
    allowances_charges: list[AllowanceChargeOut]
    buyer_name: str
    buyer_address: str
    buyer_siren: str
    buyer_vat_number: str
    seller: dict = Field(description="L'identité du vendeur figée à l'émission.")
    operation_nature: str = Field(description="goods, services ou mixed (à l'émission).")
    delivery_date: datetime.date | None
    service_period_start: datetime.date | None
    service_period_end: datetime.date | None
    payment_terms: str
    issued_at: datetime.datetime | None
    entry_id: int | None = Field(description="L'écriture du journal des ventes.")
    taxes: list[TaxOut] = Field(description="Ventilation de la TVA par taux (calculée pour un brouillon).")
    payment: PaymentStateOut | None = Field(description="État du règlement (factures émises seulement).")
    approval: GestureApprovalOut | None = Field(
        None, description="Geste commercial (avoir sans dossier) : où en est la double validation."
    )
    lines: list[InvoiceLineOut]

    @staticmethod
    def resolve_approval(invoice):
        state = approving.gesture_approval(invoice)
        if state is None:
            return None
        return {
            "required": state.required,
            "pending": state.pending,
            "cumulated": state.cumulated,
            "threshold": state.threshold,
            "approved_by": state.approved_by.get_username() if state.approved_by else None,
            "approved_at": invoice.approved_at,
        }

    @staticmethod
    def resolve_taxes(invoice):
        if invoice.status == Invoice.Status.ISSUED:
            return list(invoice.taxes.all())
        lines = invoice.lines.all()
        reasons = {(line.vat_rate, line.vat_category): line.vat_exemption_reason for line in lines}
        totals = document_totals(
            ((line.net_amount, line.vat_rate, line.vat_category) for line in lines),
            [
                Adjustment(a.amount, a.vat_rate, a.vat_category, a.is_charge)
                for a in invoice.allowances_charges.all()
            ],
        )
        return [
            {
                "vat_rate": t.rate,
                "category": t.category,
                "exemption_reason": reasons.get((t.rate, t.category), ""),
                "base": t.base,
                "amount": t.amount,
            }
            for t in totals.taxes
        ]

    @staticmethod
    def resolve_payment(invoice):
        if invoice.status != Invoice.Status.ISSUED:
            return None
        state = payment_view.PaymentState(invoice.total, invoice.amount_paid)
        return {
            "status": state.status,
            "label": state.label,
            "paid": state.paid,
            "balance_due": state.balance_due,
        }


class InvoiceFilters(PageIn):
    status: Literal["draft", "issued", "cancelled"] | None = None
    customer: QueryId = None
    order: QueryId = None
    payment: Literal["open", "partial", "paid"] | None = Field(None, description="Factures émises seulement.")


def invoices_with_lines():
    qs = Invoice.objects.select_related("customer", "order").prefetch_related(
        "taxes",
        Prefetch("allowances_charges", queryset=AllowanceCharge.objects.order_by("position", "id")),
        Prefetch("lines", queryset=InvoiceLine.objects.select_related("product").order_by("position", "id")),
    )
    return payment_view.with_amount_paid(qs)


@router.get("", response=responses(Page[InvoiceOut]), summary="Lister les factures")
def list_invoices(request, filters: Query[InvoiceFilters]):
    can_read(request, "invoice.view")
    qs = invoices_with_lines().order_by(F("date").desc(nulls_first=True), "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.order:
        qs = qs.filter(order_id=filters.order)
    if filters.payment:
        qs = qs.filter(status=Invoice.Status.ISSUED)
        if filters.payment == payment_view.PAID:
            qs = qs.filter(amount_paid__gte=F("total"))
        elif filters.payment == payment_view.PARTIAL:
            qs = qs.filter(amount_paid__gt=0, amount_paid__lt=F("total"))
        else:
            qs = qs.filter(amount_paid__lte=0)
    return paginate(qs, filters)


@router.post(
    "", response=responses(InvoiceOut, 201), summary="Créer une facture brouillon depuis une commande"
)
# One service, one transaction of its own; the answer is read after its commit (docs/architecture.md).
def create_invoice(request, payload: InvoiceIn):
    order = referenced(Order.objects.all(), payload.order, "unknown_order", "La commande")
    invoice = services.create_invoice_from_order(order, by=request.auth)
    return Status(201, fetch(invoices_with_lines(), invoice.pk))


@router.get("/{invoice_id}", response=responses(InvoiceOut), summary="Consulter une facture")
def get_invoice(request, invoice_id: PathId):
    can_read(request, "invoice.view")
    return fetch(invoices_with_lines(), invoice_id)


@router.post("/{invoice_id}/issue", response=responses(InvoiceOut), summary="Émettre la facture")
# One service, one transaction of its own; the answer is read after its commit (docs/architecture.md).
def issue_invoice(request, invoice_id: PathId, payload: IssueIn | None = None):
    date = payload.date if payload else None
    services.issue_invoice(fetch(Invoice.objects.all(), invoice_id), by=request.auth, date=date)
    return fetch(invoices_with_lines(), invoice_id)


@router.post(
    "/{invoice_id}/service-period",
    response=responses(InvoiceOut),
    summary="Indiquer quand les prestations ont été réalisées (brouillon)",
)
@transaction.atomic
def set_service_period(request, invoice_id: PathId, payload: ServicePeriodIn):
    services.set_service_period(
        fetch(Invoice.objects.all(), invoice_id), by=request.auth, start=payload.start, end=payload.end
    )
    return fetch(invoices_with_lines(), invoice_id)


@router.post(
    "/{invoice_id}/allowances-charges",
    response=responses(InvoiceOut, 201),
    summary="Ajouter une remise globale ou des frais (brouillon)",
)
@transaction.atomic
def add_allowance_charge(request, invoice_id: PathId, payload: AllowanceChargeIn):
    """Sur une facture en brouillon (pas un acompte ni une échéance d'échéancier) : le montant HT, ou un
    pourcentage d'une base ; un motif ou un code ; le taux et la catégorie de TVA auxquels ils
    s'appliquent. Refusé (400 `allowance_exceeds_base`) quand les remises dépassent les lignes de leur taux."""
    adjusting.add_allowance_charge(
        fetch(Invoice.objects.all(), invoice_id),
        by=request.auth,
        is_charge=payload.kind == "charge",
        amount=payload.amount,
        percent=payload.percent,
        base_amount=payload.base_amount,
        reason=payload.reason,
        reason_code=payload.reason_code,
        vat_rate=payload.vat_rate,
        vat_category=payload.vat_category,
        discount_category=payload.discount_category or "",
    )
    return Status(201, fetch(invoices_with_lines(), invoice_id))


@router.delete(
    "/{invoice_id}/allowances-charges/{item_id}",
    response=responses(InvoiceOut),
    summary="Retirer une remise globale ou des frais (brouillon)",
)
@transaction.atomic
def remove_allowance_charge(request, invoice_id: PathId, item_id: PathId):
    item = fetch(AllowanceCharge.objects.filter(invoice_id=invoice_id), item_id)
    adjusting.remove_allowance_charge(item, by=request.auth)
    return fetch(invoices_with_lines(), invoice_id)


@router.post(
    "/{invoice_id}/early-discount",
    response=responses(InvoiceOut),
    summary="Offrir un escompte pour paiement anticipé (brouillon)",
)
@transaction.atomic
def set_early_discount(request, invoice_id: PathId, payload: EarlyDiscountIn):
    """Un taux et un délai en jours après la date de facture ; la date limite et les conditions sont
    fixées à l'émission (conditions de paiement BT-20 et note AAB). Un règlement reçu au plus tard ce
    jour-là pour le montant escompté solde la facture et comptabilise l'escompte (665)."""
    adjusting.set_early_discount(
        fetch(Invoice.objects.all(), invoice_id), by=request.auth, percent=payload.percent, days=payload.days
    )
    return fetch(invoices_with_lines(), invoice_id)


@router.post("/{invoice_id}/cancel", response=responses(InvoiceOut), summary="Annuler une facture brouillon")
@transaction.atomic
def cancel_invoice(request, invoice_id: PathId, payload: ReasonIn | None = None):
    reason = payload.reason if payload else ""
    services.cancel_draft_invoice(fetch(Invoice.objects.all(), invoice_id), by=request.auth, reason=reason)
    return fetch(invoices_with_lines(), invoice_id)


# --- E-invoice files ------------------------------------------------------------------------------


def _einvoice(request, invoice_id: int, fmt: str) -> HttpResponse:
    can_read(request, "invoice.view")
    return attachment(einvoicing.einvoice_file(fetch(Invoice.objects.all(), invoice_id), fmt))


@router.get(
    "/{invoice_id}/facturx",
    response=responses(None),
    summary="Télécharger le PDF Factur-X (PDF/A-3 avec factur-x.xml)",
    openapi_extra=binary("application/pdf"),
)
def facturx_pdf(request, invoice_id: PathId):
    """Facture ou avoir émis seulement (409 `invoice_not_issued` pour un brouillon). Rendu une fois à la
    première demande, puis archivé avec son empreinte SHA-256 : le même fichier à chaque appel."""
    return _einvoice(request, invoice_id, einvoicing.FACTURX)


@router.get(
    "/{invoice_id}/cii",
    response=responses(None),
    summary="Télécharger le XML CII (EN 16931) archivé à l'émission",
    openapi_extra=binary("application/xml"),
)
def cii_xml(request, invoice_id: PathId):
    """Facture ou avoir émis seulement (409 `invoice_not_issued` pour un brouillon)."""
    return _einvoice(request, invoice_id, einvoicing.CII)


@router.get(
    "/{invoice_id}/ubl",
    response=responses(None),
    summary="Télécharger le XML UBL 2.1",
    openapi_extra=binary("application/xml"),
)
def ubl_xml(request, invoice_id: PathId):
    """Facture ou avoir émis seulement (409 `invoice_not_issued` pour un brouillon)."""
    return _einvoice(request, invoice_id, einvoicing.UBL)
