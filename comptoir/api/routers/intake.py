"""Order intake: customer orders (Order-X, UBL, EDIFACT, CSV/XLSX order forms) sent as files, read into a
proposed draft order, reviewed, accepted or rejected."""

import datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from comptoir.api.schemas import InputSchema, Page, PageIn, ReasonIn, paginate, responses
from comptoir.core.permissions import require
from comptoir.intake import selectors, services
from comptoir.intake.models import InboundDocument

router = Router(tags=["Commandes reçues"])

StatusCode = Literal["received", "extracted", "to_review", "accepted", "rejected", "duplicate", "quarantined"]


class ReadFieldOut(Schema):
    name: str
    value: str
    confidence: str = Field(description="De 0 à 1 : 1 pour une valeur lue dans un élément nommé (XML, EDI).")
    source: str = Field(description="Où la valeur a été lue : XPath, segment EDIFACT, cellule du tableur.")


class ReadLineOut(Schema):
    id: int
    position: int
    customer_reference: str
    description: str
    quantity: str | None
    unit_price: str | None
    product_id: int | None
    product_sku: str
    match_method: str = Field(description="code, ean, reference, description, human ou vide (non reconnu).")
    match_score: int
    candidates: list[list[int]] = Field(description="[id produit, score] des 3 meilleurs par désignation.")
    fields: list[ReadFieldOut]


class IntakeCheckOut(Schema):
    code: str
    severity: str
    line: int | None
    message: str


class InboundDocumentOut(Schema):
    id: int
    file_name: str
    sha256: str
    size: int
    channel: str
    received_at: datetime.datetime
    format: str
    kind: str
    status: StatusCode
    reason_code: str
    reason: str
    customer_id: int | None
    po_number: str
    order_id: int | None
    duplicate_of_id: int | None


class InboundDocumentDetailOut(InboundDocumentOut):
    fields: list[ReadFieldOut]
    lines: list[ReadLineOut]
    checks: list[IntakeCheckOut]


def _fields(raw: dict) -> list[dict]:
    return [{"name": name, **value} for name, value in raw.items()]


def _detail(document: InboundDocument) -> dict:
    document = InboundDocument.objects.select_related("customer", "order").get(pk=document.pk)
    data = InboundDocumentOut.from_orm(document).dict()
    data["reason"] = document.reason
    extracted = getattr(document, "extracted", None)
    data["fields"] = _fields(extracted.fields) if extracted else []
    data["lines"] = [
        {
            "id": line.pk,
            "position": line.position,
            "customer_reference": line.customer_reference,
            "description": line.description,
            "quantity": None if line.quantity is None else str(line.quantity),
            "unit_price": None if line.unit_price is None else str(line.unit_price),
            "product_id": line.product_id,
            "product_sku": line.product.sku if line.product_id else "",
            "match_method": line.match_method,
            "match_score": line.match_score,
            "candidates": line.candidates,
            "fields": _fields(line.fields),
        }
        for line in selectors.lines_of(document)
    ]
    data["checks"] = selectors.checks_of(document)
    return data


@router.post(
    "/documents",
    response={
        201: InboundDocumentDetailOut,
        200: InboundDocumentDetailOut,
        **responses(InboundDocumentDetailOut),
    },
    summary="Déposer un document reçu",
)
def receive(request, file: File[UploadedFile] = None):
    """Multipart : `file` (obligatoire). Le type est reconnu au contenu (Order-X, UBL Order, EDIFACT
    ORDERS D96A, tableur CSV/XLSX ; factures CII/UBL/Factur-X reconnues et conservées). Réponse 201 avec
    le document lu, ou 200 avec le document déjà reçu si le même fichier (même SHA-256) l'a déjà été. Un
    fichier illisible est conservé en quarantaine avec son motif (`reason_code`, `reason`). Vide : 400
    `intake_empty_file` ; trop gros : 400 `intake_file_too_large`."""
    content = file.read() if file is not None else b""
    document, created = services.receive(
        content, name=(file.name if file is not None else "") or "document", channel="api", by=request.auth
    )
    return Status(201 if created else 200, _detail(document))


class InboundDocumentFilters(PageIn):
    status: StatusCode | None = None


@router.get("/documents", response=responses(Page[InboundDocumentOut]), summary="File des documents reçus")
def list_documents(request, filters: Query[InboundDocumentFilters]):
    """Du plus ancien au plus récent ; `status` filtre (to_review : la file de vérification)."""
    require(request.auth, "order.view")
    return paginate(selectors.queue(filters.status or ""), filters)


@router.get(
    "/documents/{document_id}", response=responses(InboundDocumentDetailOut), summary="Un document reçu"
)
def get_document(request, document_id: int):
    require(request.auth, "order.view")
    return _detail(get_object_or_404(InboundDocument, pk=document_id))


class IntakeLineIn(InputSchema):
    line: int = Field(description="Id de la ligne lue (`lines[].id`).")
    product: int | None = None
    quantity: str = Field(description="0 : la ligne n'est pas commandée.")
    unit_price: str | None = None


class IntakeAcceptIn(InputSchema):
    customer: int | None = Field(None, description="Le client, s'il n'a pas été reconnu ou est corrigé.")
    lines: list[IntakeLineIn] | None = Field(None, description="Absentes : les lignes telles que lues.")


class IntakeAcceptOut(Schema):
    document: InboundDocumentDetailOut
    order_id: int
    order_number: str


@router.post(
    "/documents/{document_id}/accept",
    response=responses(IntakeAcceptOut),
    summary="Accepter : commande brouillon",
)
def accept(request, document_id: int, body: IntakeAcceptIn):
    """Crée la commande brouillon par les services des ventes ; chaque ligne dont le produit a été choisi
    ou corrigé enrichit la table des références du client."""
    document = get_object_or_404(InboundDocument, pk=document_id)
    lines = [line.dict() for line in body.lines] if body.lines is not None else None
    order = services.accept(document, by=request.auth, lines=lines, customer=body.customer)
    return {"document": _detail(document), "order_id": order.pk, "order_number": order.number}


@router.post(
    "/documents/{document_id}/reject", response=responses(InboundDocumentDetailOut), summary="Rejeter"
)
def reject(request, document_id: int, body: ReasonIn):
    document = get_object_or_404(InboundDocument, pk=document_id)
    services.reject(document, by=request.auth, reason=body.reason)
    return _detail(document)
