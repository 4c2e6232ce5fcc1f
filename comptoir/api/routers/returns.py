"""Return cases and delivery discrepancies (litiges).

A case (RET-…) is opened on a shipped delivery note, submitted, approved or rejected, receives the goods
back (inspection and disposition per line) and is resolved by a credit note, a replacement, a re-invoice
or a refusal, then closed. Each action is one service of `comptoir.returns.services`; the actions a user
may take on a case right now are listed in `available_actions`, from the table the services enforce.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import model_validator

from comptoir.api.access import can_read, fetch, referenced
from comptoir.api.routers.returns_schemas import (
    CaseOut,
    CaseSummaryOut,
    DispositionCode,
    ReasonCode,
    ResolutionKind,
    StatusCode,
    case_out,
)
from comptoir.api.schemas import (
    AmountIn,
    DocumentDate,
    DocumentRef,
    Id,
    InputSchema,
    Page,
    PageIn,
    PathId,
    Quantity,
    QuantityIn,
    QueryId,
    ReasonIn,
    UnitPriceIn,
    combination_rule,
    paginate,
    responses,
)
from comptoir.assistant import errors as assistant_errors
from comptoir.assistant import selectors as assistant_view
from comptoir.core.errors import Conflict
from comptoir.parties.models import Customer
from comptoir.returns import selectors, services
from comptoir.returns.models import Attachment, Resolution, ReturnCase
from comptoir.stock.models import Delivery

router = Router(tags=["Litiges et retours"])


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
    return Status(201, case_out(case.pk, request.auth))


@router.get("/{case_id}", response=responses(CaseOut), summary="Consulter un dossier de retour")
def get_case(request, case_id: PathId):
    can_read(request, "return.view")
    return case_out(case_id, request.auth)


def _case(case_id: int) -> ReturnCase:
    return fetch(ReturnCase.objects.all(), case_id)


@router.post("/{case_id}/submit", response=responses(CaseOut), summary="Soumettre le dossier à décision")
@transaction.atomic
def submit_case(request, case_id: PathId):
    services.submit_case(_case(case_id), by=request.auth)
    return case_out(case_id, request.auth)


@router.post("/{case_id}/approve", response=responses(CaseOut), summary="Approuver le dossier")
@transaction.atomic
def approve_case(request, case_id: PathId, payload: DecisionIn | None = None):
    services.approve_case(_case(case_id), by=request.auth, reason=payload.reason if payload else "")
    return case_out(case_id, request.auth)


@router.post(
    "/{case_id}/reject", response=responses(CaseOut), summary="Rejeter le dossier (motif obligatoire)"
)
@transaction.atomic
def reject_case(request, case_id: PathId, payload: DecisionIn | None = None):
    services.reject_case(_case(case_id), by=request.auth, reason=payload.reason if payload else "")
    return case_out(case_id, request.auth)


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
    return case_out(case_id, request.auth)


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
    return case_out(case_id, request.auth)


@router.post("/{case_id}/close", response=responses(CaseOut), summary="Clore le dossier")
@transaction.atomic
def close_case(request, case_id: PathId, payload: ReasonIn | None = None):
    services.close_case(_case(case_id), by=request.auth, reason=payload.reason if payload else "")
    return case_out(case_id, request.auth)


@router.post(
    "/{case_id}/lift-block",
    response=responses(CaseOut),
    summary="Lever le blocage de facturation de la livraison (motif obligatoire)",
)
@transaction.atomic
def lift_block(request, case_id: PathId, payload: ReasonIn | None = None):
    services.lift_block(_case(case_id), by=request.auth, reason=payload.reason if payload else "")
    return case_out(case_id, request.auth)


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
