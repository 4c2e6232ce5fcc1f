"""Return cases and delivery discrepancies (litiges), credit notes, and the returns KPIs.

A case (RET-…) is opened on a shipped delivery note, submitted, approved or rejected, receives the goods
back (inspection and disposition per line) and is resolved by a credit note, a replacement, a re-invoice
or a refusal, then closed. Each action is one service of `comptoir.returns.services`; the actions a user
may take on a case right now are listed in `available_actions`, from the table the services enforce.
"""

import datetime
from typing import Literal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import model_validator

from comptoir.api.access import can_read, fetch, referenced
from comptoir.api.routers.invoices import InvoiceOut
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
    ProductRef,
    Quantity,
    QuantityIn,
    QueryId,
    QuerySchema,
    ReasonIn,
    UnitPrice,
    UnitPriceIn,
    combination_rule,
    paginate,
    responses,
)
from comptoir.assistant import errors as assistant_errors
from comptoir.assistant import selectors as assistant_view
from comptoir.billing import approving
from comptoir.billing import services as billing
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core.errors import Conflict
from comptoir.parties.models import Customer
from comptoir.payments import refunding
from comptoir.payments import selectors as payment_view
from comptoir.payments import services as payments
from comptoir.payments.models import Payment, RefundRequest
from comptoir.returns import rules, selectors, services
from comptoir.returns.models import Attachment, Reason, Resolution, ReturnCase, ReturnReceiptLine
from comptoir.stock.models import Delivery

router = Router(tags=["Litiges et retours"])
credit_notes = Router(tags=["Avoirs"])
refund_requests = Router(tags=["Avoirs"])
insights = Router(tags=["Indicateurs"])

ReasonCode = Literal[tuple(Reason.values)]
StatusCode = Literal[tuple(ReturnCase.Status.values)]
DispositionCode = Literal[tuple(ReturnReceiptLine.Disposition.values)]
ResolutionKind = Literal[tuple(Resolution.Kind.values)]
ActionCode = Literal[rules.BUTTONS]
Method = Literal[tuple(Payment.Method.values)]


# --- Schemas: what a case is made of ----------------------------------------------------------------


class UserRef(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(user):
        return user.get_full_name() or user.get_username()


class CaseSummaryOut(Schema):
    id: int
    number: str
    status: StatusCode
    status_label: str
    reason: ReasonCode
    reason_label: str
    customer: CustomerRef
    delivery: DocumentRef
    owner: UserRef | None
    amount_at_stake: Amount = Field(description="Valeur HT des lignes du dossier, aux prix de vente.")
    opened_at: datetime.datetime
    age_days: int = Field(description="Jours écoulés depuis l'ouverture (jusqu'à la clôture).")
    answer_due_at: datetime.datetime
    close_due_at: datetime.datetime
    answer_overdue: bool = Field(description="Sans décision après le délai de réponse.")
    close_overdue: bool = Field(description="Pas clos après le délai de clôture.")

    @staticmethod
    def resolve_status_label(case):
        return str(case.get_status_display())

    @staticmethod
    def resolve_reason_label(case):
        return str(case.get_reason_display())

    @staticmethod
    def resolve_age_days(case):
        return case.age().days

    @staticmethod
    def resolve_answer_overdue(case):
        flag = getattr(case, "answer_overdue", None)
        return flag if isinstance(flag, bool) else case.answer_overdue()

    @staticmethod
    def resolve_close_overdue(case):
        flag = getattr(case, "close_overdue", None)
        return flag if isinstance(flag, bool) else case.close_overdue()


class CaseLineOut(Schema):
    id: int
    delivery_line_id: int
    product: ProductRef
    quantity: Quantity
    unit_price: UnitPrice = Field(description="Prix facturé (ou commandé) à l'ouverture du dossier.")
    discount_percent: Percent
    net_amount: Amount
    note: str
    received: Quantity
    credited: Quantity
    replaced: Quantity
    reinvoiced: Quantity
    open_quantity: Quantity = Field(description="Ni créditée ni remplacée.")
    credited_amount: Amount = Field(
        description="Total HT crédité sur la ligne, réductions de prix comprises (credited ne compte que les "
        "unités reprises)."
    )
    price_reduced: Amount = Field(description="Part de credited_amount accordée en réduction de prix.")
    open_amount: Amount = Field(
        description="Ce que les unités encore ouvertes peuvent encore être créditées HT."
    )


class ReturnReceiptLineOut(Schema):
    line_id: int = Field(description="La ligne du dossier.")
    product: ProductRef
    quantity: Quantity
    inspection: str
    disposition: DispositionCode
    unit_cost: UnitPrice = Field(description="Coût de sortie des marchandises (remis en stock ou perdu).")

    @staticmethod
    def resolve_line_id(line):
        return line.return_line_id

    @staticmethod
    def resolve_product(line):
        return line.return_line.product


class ReturnReceiptOut(Schema):
    id: int
    number: str
    date: datetime.date
    loss_entry_id: int | None = Field(description="L'écriture OD de mise au rebut (658 / 603).")
    lines: list[ReturnReceiptLineOut]


class InvoiceRef(Schema):
    id: int
    number: str | None
    status: str


class ResolutionLineOut(Schema):
    line_id: int
    quantity: Quantity
    amount: Amount

    @staticmethod
    def resolve_line_id(line):
        return line.return_line_id


class ResolutionOut(Schema):
    id: int
    kind: ResolutionKind
    kind_label: str
    amount: Amount = Field(
        description="Avoir ou refacturation : total HT ; remplacement : valeur au prix de vente."
    )
    reason: str
    at: datetime.datetime
    by: UserRef | None
    credit_note: InvoiceRef | None
    invoice: InvoiceRef | None = Field(description="La facture de refacturation (brouillon à émettre).")
    replacement: DocumentRef | None = Field(description="Le bon de livraison de remplacement.")
    lines: list[ResolutionLineOut]

    @staticmethod
    def resolve_kind_label(resolution):
        return str(resolution.get_kind_display())


class CreditNoteOut(Schema):
    id: int
    number: str | None
    status: str
    date: datetime.date | None
    corrects: InvoiceRef | None = Field(description="La facture que l'avoir corrige.")
    total_untaxed: Amount
    total_vat: Amount
    total: Amount
    available: Amount = Field(description="Reste à imputer sur une facture ou à rembourser.")


class CaseOut(CaseSummaryOut):
    customer_statement: str = Field(description="Les mots du client.")
    submitted_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    decided_by: UserRef | None
    decision_reason: str
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    invoicing_blocked: bool = Field(
        description="La livraison est tenue hors facturation par un litige ouvert."
    )
    block_lifted_at: datetime.datetime | None
    block_lift_reason: str
    lines: list[CaseLineOut]
    receipts: list[ReturnReceiptOut]
    resolutions: list[ResolutionOut]
    credit_notes: list[CreditNoteOut]
    available_actions: list[ActionCode] = Field(
        description="Les actions que l'utilisateur peut faire maintenant (état du dossier, règles, rôle)."
    )
    available_resolutions: list[ResolutionKind] = Field(
        description="Les résolutions possibles (action resolve)."
    )

    @staticmethod
    def resolve_invoicing_blocked(case):
        return case.delivery.invoicing_blocked

    @staticmethod
    def resolve_lines(case):
        return [
            {
                "id": p.line.pk,
                "delivery_line_id": p.line.delivery_line_id,
                "product": p.line.product,
                "quantity": p.line.quantity,
                "unit_price": p.line.unit_price,
                "discount_percent": p.line.discount_percent,
                "net_amount": p.line.net_amount,
                "note": p.line.note,
                "received": p.received,
                "credited": p.credited,
                "replaced": p.replaced,
                "reinvoiced": p.reinvoiced,
                "open_quantity": p.open_quantity,
                "credited_amount": p.credited_amount,
                "price_reduced": p.price_reduced,
                "open_amount": p.open_amount,
            }
            for p in case.progress
        ]

    @staticmethod
    def resolve_credit_notes(case):
        return case.credit_note_rows

    @staticmethod
    def resolve_available_actions(case):
        return case.actions

    @staticmethod
    def resolve_available_resolutions(case):
        return case.resolution_kinds


def _credit_note_out(note: Invoice) -> dict:
    return {
        "id": note.pk,
        "number": note.number,
        "status": note.status,
        "date": note.date,
        "corrects": note.corrects,
        "total_untaxed": note.total_untaxed,
        "total_vat": note.total_vat,
        "total": note.total,
        "available": note.total - payments.credit_available_used(note)
        if note.status == Invoice.Status.ISSUED
        else note.total,
    }


def _case_out(case_id: int, user) -> ReturnCase:
    """The case with everything its page and the API show, in a bounded number of queries; what is
    derived (line progress, credit notes, actions open to `user`) is attached for CaseOut's resolvers."""
    # An unknown id raises DoesNotExist, which the API answers 404 not_found.
    case = selectors.case_detail(case_id)
    notes = [r.credit_note for r in case.resolutions.all() if r.credit_note_id]
    corrected = Invoice.objects.in_bulk({n.corrects_id for n in notes if n.corrects_id})
    for note in notes:
        note.corrects = corrected.get(note.corrects_id)
    policy = selectors.policy()
    case.progress = selectors.line_progress(case)
    case.credit_note_rows = [_credit_note_out(note) for note in notes]
    case.actions = selectors.available_actions(case, user, policy)
    case.resolution_kinds = selectors.available_resolutions(case, user, policy)
    return case


# --- Schemas: input ---------------------------------------------------------------------------------


class CaseLineIn(InputSchema):
    delivery_line: Id | None = Field(None, description="La ligne du bon de livraison…")
    product: Id | None = Field(None, description="… ou le produit livré (première ligne qui le porte).")
    quantity: QuantityIn
    note: str = Field("", max_length=250)

    @model_validator(mode="after")
    def one_reference(self):
        if (self.delivery_line is None) == (self.product is None):
            raise combination_rule(_("indiquez soit delivery_line, soit product"))
        return self


class CaseIn(InputSchema):
    delivery: Id = Field(description="Le bon de livraison expédié concerné.")
    reason: ReasonCode
    lines: list[CaseLineIn] = Field(max_length=1000)
    customer_statement: str = Field("", max_length=5000, description="Ce que dit le client, tel quel.")
    customer: Id | None = Field(None, description="Vérifie que la livraison est bien celle de ce client.")
    owner: Id | None = Field(None, description="Responsable du dossier (par défaut : vous).")
    date: DocumentDate | None = Field(
        None, description="Date de la réclamation, si elle est saisie après coup (par défaut aujourd'hui)."
    )


class DecisionIn(InputSchema):
    reason: str = Field("", max_length=2000, description="Motif de la décision (obligatoire pour un rejet).")


class ReceiveLineIn(InputSchema):
    line: Id = Field(description="La ligne du dossier.")
    quantity: QuantityIn
    disposition: DispositionCode = Field(description="back_to_stock, scrap ou repair.")
    inspection: str = Field("", max_length=2000, description="Résultat du contrôle à réception.")


class ReceiveIn(InputSchema):
    lines: list[ReceiveLineIn] = Field(max_length=1000)
    date: DocumentDate | None = Field(None, description="Date de réception (par défaut aujourd'hui).")


class SettleLineIn(InputSchema):
    line: Id = Field(description="La ligne du dossier.")
    quantity: QuantityIn
    unit_price: UnitPriceIn | None = Field(
        None,
        description="Avoir : montant crédité par unité (correction de prix) ; refacturation : prix par unité.",
    )


class ResolveIn(InputSchema):
    kind: ResolutionKind
    lines: list[SettleLineIn] | None = Field(
        None, max_length=1000, description="Absent : tout ce qui reste ouvert sur le dossier."
    )
    amount: AmountIn | None = Field(
        None, description="Avoir seulement : montant HT global, à la place des lignes."
    )
    reason: str = Field("", max_length=2000, description="Motif (obligatoire pour un refus).")
    date: DocumentDate | None = Field(
        None, description="Date de la résolution et de l'avoir ou du document émis (par défaut aujourd'hui)."
    )

    @model_validator(mode="after")
    def fits_the_kind(self):
        if self.amount is not None and self.kind != Resolution.Kind.CREDIT_NOTE:
            raise combination_rule(_("amount ne s'emploie qu'avec un avoir (kind = credit_note)"))
        if self.kind == Resolution.Kind.REFUSAL and self.lines is not None:
            raise combination_rule(_("un refus porte sur tout le dossier : n'indiquez pas de lignes"))
        if self.kind == Resolution.Kind.REPLACEMENT and any(
            line.unit_price is not None for line in self.lines or ()
        ):
            raise combination_rule(_("un remplacement n'a pas de prix : retirez unit_price"))
        return self


class CaseFilters(PageIn):
    status: StatusCode | None = None
    reason: ReasonCode | None = None
    customer: QueryId = None
    owner: QueryId = None
    overdue: bool | None = Field(None, description="true : seulement les dossiers en retard sur leur délai.")
    q: str = Field("", max_length=100, description="Numéro de dossier, de livraison ou nom du client.")
    include_closed: bool = Field(False, description="Les dossiers clos sont exclus sauf demande.")


# --- Cases ------------------------------------------------------------------------------------------


@router.get("", response=responses(Page[CaseSummaryOut]), summary="Lister les dossiers de retour (litiges)")
def list_cases(request, filters: Query[CaseFilters]):
    can_read(request, "return.view")
    qs = selectors.board(
        status=filters.status,
        reason=filters.reason,
        customer=filters.customer,
        owner=filters.owner,
        overdue=filters.overdue,
        search=filters.q.replace("\x00", "").strip(),
        include_closed=filters.include_closed,
    )
    return paginate(qs, filters)


@router.post("", response=responses(CaseOut, 201), summary="Déclarer un écart ou un retour sur une livraison")
@transaction.atomic
def open_case(request, payload: CaseIn):
    delivery = referenced(Delivery.objects.all(), payload.delivery, "unknown_delivery", "La livraison")
    customer = (
        referenced(Customer.objects.all(), payload.customer, "unknown_customer", "Le client")
        if payload.customer
        else None
    )
    owner = (
        referenced(get_user_model().objects.all(), payload.owner, "unknown_user", "L'utilisateur")
        if payload.owner
        else None
    )
    lines = [
        {
            key: value
            for key, value in line.model_dump().items()
            if key in ("quantity", "note") or value is not None
        }
        for line in payload.lines
    ]
    case = services.open_case(
        delivery,
        lines,
        by=request.auth,
        reason=payload.reason,
        customer_statement=payload.customer_statement,
        customer=customer,
        owner=owner,
        date=payload.date,
    )
    return Status(201, _case_out(case.pk, request.auth))


@router.get("/{case_id}", response=responses(CaseOut), summary="Consulter un dossier de retour")
def get_case(request, case_id: PathId):
    can_read(request, "return.view")
    return _case_out(case_id, request.auth)


def _case(case_id: int) -> ReturnCase:
    return fetch(ReturnCase.objects.all(), case_id)


@router.post("/{case_id}/submit", response=responses(CaseOut), summary="Soumettre le dossier à décision")
@transaction.atomic
def submit_case(request, case_id: PathId):
    services.submit_case(_case(case_id), by=request.auth)
    return _case_out(case_id, request.auth)


@router.post("/{case_id}/approve", response=responses(CaseOut), summary="Approuver le dossier")
@transaction.atomic
def approve_case(request, case_id: PathId, payload: DecisionIn | None = None):
    services.approve_case(_case(case_id), by=request.auth, reason=payload.reason if payload else "")
    return _case_out(case_id, request.auth)


@router.post(
    "/{case_id}/reject", response=responses(CaseOut), summary="Rejeter le dossier (motif obligatoire)"
)
@transaction.atomic
def reject_case(request, case_id: PathId, payload: DecisionIn | None = None):
    services.reject_case(_case(case_id), by=request.auth, reason=payload.reason if payload else "")
    return _case_out(case_id, request.auth)


@router.post(
    "/{case_id}/receive",
    response=responses(CaseOut),
    summary="Réceptionner les marchandises retournées (contrôle et destination par ligne)",
)
@transaction.atomic
def receive_goods(request, case_id: PathId, payload: ReceiveIn):
    services.receive_goods(
        _case(case_id), [line.model_dump() for line in payload.lines], by=request.auth, date=payload.date
    )
    return _case_out(case_id, request.auth)


@router.post(
    "/{case_id}/resolve",
    response=responses(CaseOut),
    summary="Résoudre : avoir, remplacement, refacturation ou refus",
)
@transaction.atomic
def resolve_case(request, case_id: PathId, payload: ResolveIn):
    case, by, Kind = _case(case_id), request.auth, Resolution.Kind
    lines = None if payload.lines is None else [line.model_dump() for line in payload.lines]
    dated = {"reason": payload.reason, "date": payload.date}
    if payload.kind == Kind.CREDIT_NOTE:
        services.resolve_with_credit_note(case, lines, by=by, amount=payload.amount, **dated)
    elif payload.kind == Kind.REPLACEMENT:
        services.resolve_with_replacement(case, lines, by=by, **dated)
    elif payload.kind == Kind.REINVOICE:
        services.resolve_with_reinvoice(case, lines, by=by, **dated)
    else:
        services.refuse(case, by=by, reason=payload.reason)
    return _case_out(case_id, request.auth)


@router.post("/{case_id}/close", response=responses(CaseOut), summary="Clore le dossier")
@transaction.atomic
def close_case(request, case_id: PathId, payload: ReasonIn | None = None):
    services.close_case(_case(case_id), by=request.auth, reason=payload.reason if payload else "")
    return _case_out(case_id, request.auth)


@router.post(
    "/{case_id}/lift-block",
    response=responses(CaseOut),
    summary="Lever le blocage de facturation de la livraison (motif obligatoire)",
)
@transaction.atomic
def lift_block(request, case_id: PathId, payload: ReasonIn | None = None):
    services.lift_block(_case(case_id), by=request.auth, reason=payload.reason if payload else "")
    return _case_out(case_id, request.auth)


# --- Discrepancies of a delivery (mounted under /deliveries) ----------------------------------------


class ReturnableOut(Schema):
    delivery_line_id: int
    sku: str
    description: str
    delivered: Quantity
    claimed: Quantity = Field(description="Déjà en litige sur d'autres dossiers.")
    left: Quantity = Field(description="Ce qui peut encore être déclaré.")


class DiscrepanciesOut(Schema):
    delivery: DocumentRef
    invoicing_blocked: bool
    blocked_reason: str
    cases: list[CaseSummaryOut]
    returnable: list[ReturnableOut]


def discrepancies_of(delivery: Delivery) -> dict:
    """`GET /deliveries/{id}/discrepancies`: the cases opened on a delivery and what is left to claim."""
    return {
        "delivery": delivery,
        "invoicing_blocked": delivery.invoicing_blocked,
        "blocked_reason": delivery.blocked_reason,
        "cases": list(selectors.delivery_discrepancies(delivery).select_related("customer", "delivery")),
        "returnable": [
            {
                "delivery_line_id": row.delivery_line_id,
                "sku": row.sku,
                "description": row.description,
                "delivered": row.delivered,
                "claimed": row.claimed,
                "left": row.left,
            }
            for row in selectors.returnable_lines(delivery)
        ],
    }


# --- Credit notes -----------------------------------------------------------------------------------


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


@credit_notes.post(
    "",
    response=responses(InvoiceOut, 201),
    summary="Préparer un avoir sur une facture émise (dossier de retour ou geste commercial)",
    description=(
        "Crée un avoir brouillon (série AV), émis ensuite par `POST /invoices/{id}/issue` comme toute "
        "facture. Un avoir issu d'un dossier de retour se fait plutôt par `POST /returns/{id}/resolve`, "
        "qui l'émet et l'impute d'un coup."
    ),
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


@credit_notes.post(
    "/{credit_note_id}/apply",
    response=responses(CreditApplicationOut, 201),
    summary="Imputer un avoir émis sur une facture du client",
)
@transaction.atomic
def apply_credit_note(request, credit_note_id: PathId, payload: ApplyCreditIn):
    note = _credit_note(credit_note_id)
    invoice = referenced(Invoice.objects.all(), payload.invoice, "unknown_invoice", "La facture")
    application = payments.apply_credit_note(
        note, invoice, by=request.auth, amount=payload.amount, date=payload.date
    )
    return Status(201, application)


@credit_notes.post(
    "/{credit_note_id}/refund",
    response=responses(RefundOut, 201),
    summary="Rembourser un avoir au client",
    description=(
        "Paie aussitôt tant que les remboursements de l'avoir, celui-ci compris, restent sous le seuil des "
        "remboursements ; au-delà, répond 403 `refund_approval_required` : passer par "
        "`POST /credit-notes/{id}/refund-requests`, qu'une autre personne habilitée approuve."
    ),
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


@credit_notes.post(
    "/{credit_note_id}/approve",
    response=responses(InvoiceOut),
    summary="Approuver un geste commercial préparé par une autre personne",
    description=(
        "Au-delà du seuil des gestes commerciaux (cumulé sur la facture, réglé dans les paramètres), un avoir "
        "sans dossier de retour ne peut être émis qu'après l'approbation d'une autre personne habilitée "
        "(`credit_note.gesture`) : jamais celle qui l'a préparé."
    ),
)
@transaction.atomic
def approve_credit_note(request, credit_note_id: PathId, payload: DecisionIn | None = None):
    note = approving.approve_credit_note(
        _credit_note(credit_note_id), by=request.auth, reason=payload.reason if payload else ""
    )
    return _invoice_detail(note.pk)


@credit_notes.post(
    "/{credit_note_id}/refuse",
    response=responses(InvoiceOut),
    summary="Refuser un geste commercial (le brouillon est annulé)",
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


@credit_notes.post(
    "/{credit_note_id}/refund-requests",
    response=responses(RefundRequestOut, 201),
    summary="Demander un remboursement à faire approuver",
    description=(
        "Au-delà du seuil des remboursements (cumulé sur l'avoir), `POST /credit-notes/{id}/refund` répond "
        "`refund_approval_required` : la demande réserve le montant sur l'avoir, une autre personne "
        "habilitée l'approuve (`POST /refund-requests/{id}/approve`, qui paie) ou la refuse."
    ),
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
    "", response=responses(Page[RefundRequestOut]), summary="Lister les demandes de remboursement"
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
)
@transaction.atomic
def refuse_refund(request, request_id: PathId, payload: ReasonIn):
    refused = refunding.refuse_refund(
        fetch(RefundRequest.objects.all(), request_id), by=request.auth, reason=payload.reason
    )
    return _refund_requests().get(pk=refused.pk)


# --- Insights ---------------------------------------------------------------------------------------


class KpiPeriod(QuerySchema):
    date_from: DocumentDate | None = Field(None, description="Début (par défaut : il y a un an).")
    date_to: DocumentDate | None = Field(None, description="Fin, incluse (par défaut : aujourd'hui).")

    @model_validator(mode="after")
    def in_order(self):
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise combination_rule(_("la fin de la période (date_to) précède son début (date_from)"))
        return self


class CustomerCasesOut(Schema):
    customer_id: int
    customer: str
    cases: int
    amount_at_stake: Amount


class MarginImpactOut(Schema):
    credited: Amount = Field(description="Chiffre d'affaires crédité par avoir.")
    recovered: Amount = Field(description="Coût des marchandises remises en stock.")
    replacement_cost: Amount = Field(description="Coût des marchandises renvoyées en remplacement.")
    reinvoiced: Amount = Field(description="Refacturé au client.")
    surplus_cost: Amount = Field(description="Coût des excédents conservés par le client (sortis du stock).")
    margin_lost: Amount = Field(
        description="crédité + remplacement + excédents conservés − récupéré − refacturé (positif = perte)."
    )


class CustomerMarginOut(MarginImpactOut):
    customer_id: int
    customer: str


class ProductMarginOut(MarginImpactOut):
    product_id: int
    sku: str


class ReasonCountOut(Schema):
    reason: ReasonCode
    label: str
    cases: int


class ReturnsKpisOut(Schema):
    date_from: datetime.date
    date_to: datetime.date
    cases: int = Field(description="Dossiers ouverts sur la période.")
    cases_per_customer: list[CustomerCasesOut]
    average_resolution_days: str | None = Field(
        description="Délai moyen d'ouverture à résolution, en jours (une décimale), des dossiers résolus "
        "sur la période."
    )
    credit_notes: int
    credit_notes_amount: Amount = Field(description="Total HT des avoirs émis par les dossiers.")
    margin_lost: Amount
    margin_per_customer: list[CustomerMarginOut] = Field(description="Plus forte perte d'abord.")
    margin_per_product: list[ProductMarginOut] = Field(description="Plus forte perte d'abord.")
    top_reasons: list[ReasonCountOut]


def _impact(impact) -> dict:
    return {
        "credited": impact.credited,
        "recovered": impact.recovered,
        "replacement_cost": impact.replacement_cost,
        "reinvoiced": impact.reinvoiced,
        "surplus_cost": impact.surplus_cost,
        "margin_lost": impact.margin_lost,
    }


@insights.get("/returns", response=responses(ReturnsKpisOut), summary="Indicateurs des retours et litiges")
def returns_kpis(request, period: Query[KpiPeriod]):
    can_read(request, "return.view")
    date_from, date_to = selectors.kpi_period(period.date_from, period.date_to)
    kpis = selectors.returns_kpis(date_from, date_to)
    return {
        "date_from": kpis.date_from,
        "date_to": kpis.date_to,
        "cases": kpis.cases,
        "cases_per_customer": kpis.cases_per_customer,
        "average_resolution_days": (
            None if kpis.average_resolution_days is None else format(kpis.average_resolution_days, "f")
        ),
        "credit_notes": kpis.credit_notes,
        "credit_notes_amount": kpis.credit_notes_amount,
        "margin_lost": kpis.margin_lost,
        "margin_per_customer": [
            {"customer_id": pk, "customer": name, **_impact(impact)}
            for pk, name, impact in kpis.customers_by_margin_lost()
        ],
        "margin_per_product": [
            {"product_id": pk, "sku": sku, **_impact(impact)}
            for pk, sku, impact in kpis.products_by_margin_lost()
        ],
        "top_reasons": [
            {"reason": reason, "label": label, "cases": count} for reason, label, count in kpis.top_reasons
        ],
    }


# --- The assistant on returns -------------------------------------------------------------------------


class AdviceOut(Schema):
    case: str
    suggestion: str = Field(
        description="credit_note, replacement, reinvoice, refuse, wait_receipt, decide_first ou settled (la suggestion, "
        "jamais une décision)."
    )
    label: str
    reasons: list[str] = Field(description="Pourquoi, en français, dans l'ordre où l'assistant a raisonné.")
    confidence: str
    priority: int = Field(description="0 à 100 : l'ordre du tableau des litiges.")
    priority_parts: dict[str, int] = Field(description="Les points de chaque critère.")


class TrendOut(Schema):
    label: str
    recent: int
    previous: int
    amount: Amount


class CausesIn(QuerySchema):
    window: int = Field(90, ge=7, le=365, description="Jours de la période récente (90 par défaut).")


class CausesOut(Schema):
    window_days: int
    changes: list[str] = Field(description="Ce qui a nettement augmenté, en phrases.")
    by_reason: list[TrendOut]
    by_product: list[TrendOut]
    by_customer: list[TrendOut]
    months: list[tuple[str, int]]


@router.get(
    "/{case_id}/advice", response=responses(AdviceOut), summary="L'avis de l'assistant sur un dossier"
)
def case_advice(request, case_id: PathId):
    """La résolution que l'assistant suggère et la priorité du dossier, avec leurs raisons. 409
    `case_not_open` pour un dossier clos ou refusé."""
    can_read(request, "return.view")
    case = fetch(ReturnCase.objects.select_related("customer"), case_id)
    advice = (
        assistant_view.case_advice([case]).get(case.pk) if case.status in ReturnCase.OPEN_STATUSES else None
    )
    if advice is None:
        raise Conflict(*assistant_errors.CASE_NOT_OPEN, number=case.number)
    suggestion, priority = advice
    return {
        "case": case.number,
        "suggestion": suggestion.kind,
        "label": suggestion.label,
        "reasons": list(suggestion.reasons),
        "confidence": str(suggestion.confidence),
        "priority": priority.score,
        "priority_parts": dict(priority.parts),
    }


@insights.get("/returns/causes", response=responses(CausesOut), summary="Causes récurrentes des retours")
def recurring_causes(request, period: Query[CausesIn]):
    """Par motif, produit, client et mois ; ce qui a changé sur la période récente par rapport à la
    précédente de même durée."""
    can_read(request, "return.view")
    found = assistant_view.recurring_causes(window=period.window)
    return {
        "window_days": found.window,
        "changes": found.changes,
        "by_reason": found.by_reason,
        "by_product": found.by_product,
        "by_customer": found.by_customer,
        "months": found.months,
    }


# --- Attachments -------------------------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    name: str
    uploaded_at: datetime.datetime
    download: str = Field(description="Chemin de téléchargement (GET, même authentification).")

    @staticmethod
    def resolve_download(obj):
        return f"/api/v1/returns/{obj.case_id}/attachments/{obj.pk}"


@router.post(
    "/{case_id}/attachments",
    response=responses(list[AttachmentOut], 201),
    summary="Joindre des photos ou documents à un dossier",
)
@transaction.atomic
def add_attachments(request, case_id: PathId, files: File[list[UploadedFile]]):
    """Multipart, champ `files` (un ou plusieurs). Photos, PDF, e-mails, documents bureautiques ; 15 Mo au
    plus chacun (400 `return_attachment_too_large`, `return_attachment_type`)."""
    case = fetch(ReturnCase.objects.all(), case_id)
    added = [services.add_attachment(case, upload, by=request.auth) for upload in files]
    return Status(201, added)


@router.get(
    "/{case_id}/attachments/{attachment_id}",
    response=responses(None),
    summary="Télécharger une pièce jointe",
    openapi_extra={
        "responses": {
            "200": {
                "description": "Le fichier tel qu'il a été joint (son type selon son nom), en pièce jointe.",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_attachment(request, case_id: PathId, attachment_id: PathId):
    can_read(request, "return.view")
    attachment = fetch(Attachment.objects.filter(case_id=case_id), attachment_id)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
