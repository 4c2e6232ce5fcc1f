"""The assistant's consistency checks: the findings of an invoice or an order, and overriding what blocks
a draft invoice.

Findings are computed on demand from the documents (`assistant.services`); only overrides are stored.
"""

import datetime
from typing import Literal

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import model_validator

from comptoir.api.access import can_read, fetch
from comptoir.api.schemas import InputSchema, PathId, QueryId, QuerySchema, combination_rule, responses
from comptoir.assistant import services
from comptoir.assistant.findings import Finding, Severity
from comptoir.assistant.models import FindingOverride
from comptoir.billing.models import Invoice
from comptoir.parties.models import Customer
from comptoir.sales.models import Order

router = Router(tags=["Contrôles de cohérence"])
overrides = Router(tags=["Contrôles de cohérence"])

SeverityCode = Literal["blocking", "warning", "info"]


class FindingFilters(QuerySchema):
    invoice: QueryId = Field(None, description="La facture (ou l'avoir) à contrôler.")
    order: QueryId = Field(None, description="La commande à contrôler, avec ses livraisons et ses factures.")
    customer: QueryId = Field(
        None, description="Le client : ses commandes en cours ou récentes et ses brouillons."
    )
    severity: SeverityCode | None = Field(None, description="blocking, warning ou info.")
    code: str | None = Field(
        None, max_length=100, description="Un code de constat, par exemple « invoice_qty_exceeds_delivered »."
    )

    @model_validator(mode="after")
    def one_document(self):
        if sum(value is not None for value in (self.invoice, self.order, self.customer)) != 1:
            raise combination_rule(
                _("indiquez une facture (invoice), une commande (order) ou un client (customer), et un seul")
            )
        return self


class EvidenceOut(Schema):
    kind: str = Field(
        description="quote, order, delivery, invoice, credit_note, return_case, payment, customer ou product."
    )
    document: str = Field(description="Le numéro du document (ou « brouillon n° 12 »).")
    id: int | None = Field(description="L'identifiant du document.")
    line_id: int | None = Field(description="La ligne du document concernée, s'il y en a une.")
    values: dict[str, str] = Field(description="Les valeurs comparées, en texte (décimaux et dates compris).")


class FindingProposalOut(Schema):
    kind: str = Field(description="Le service qu'appliquer la proposition appellerait.")
    payload: dict = Field(description="Ses arguments ; décimaux en texte.")
    rationale: str
    confidence: str = Field(examples=["0.9"])


class FindingOut(Schema):
    code: str = Field(examples=["invoice_qty_exceeds_delivered"])
    severity: SeverityCode
    message: str = Field(description="Le constat, en français.")
    evidence: list[EvidenceOut]
    proposal: FindingProposalOut | None


class FindingsOut(Schema):
    count: int
    blocking: int = Field(description="Nombre de constats bloquants parmi ceux retournés.")
    items: list[FindingOut]


class OverrideIn(InputSchema):
    reason: str = Field(
        max_length=2000, description="Pourquoi la facture peut être émise malgré ses constats."
    )


class OverrideOut(Schema):
    id: int
    invoice_id: int
    codes: list[str] = Field(description="Les codes bloquants levés.")
    findings: list[dict] = Field(description="Les constats tels qu'ils se lisaient au moment de la décision.")
    reason: str
    by: str = Field(description="L'utilisateur qui a levé le blocage.")
    at: datetime.datetime

    @staticmethod
    def resolve_by(override):
        return override.by.get_username()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value)
    return str(value)


def _finding_out(finding: Finding) -> dict:
    data = finding.as_dict()
    for item in data["evidence"]:
        item["values"] = {key: _text(value) for key, value in item["values"].items()}
    return data


@router.get("", response=responses(FindingsOut), summary="Contrôler une facture ou une commande")
def list_findings(request, filters: Query[FindingFilters]):
    """Les incohérences de la chaîne documentaire (devis → commande → livraisons → factures → règlements),
    les plus graves d'abord. Indiquez `invoice`, `order` ou `customer` (422 sinon)."""
    if filters.invoice is not None:
        can_read(request, "invoice.view")
        found = services.findings_for_invoice(fetch(Invoice.objects.all(), filters.invoice))
    elif filters.order is not None:
        can_read(request, "order.view")
        found = services.findings_for_order(fetch(Order.objects.all(), filters.order))
    else:
        can_read(request, "customer.view")
        found = services.findings_for_customer(fetch(Customer.objects.all(), filters.customer))
    if filters.severity:
        found = [finding for finding in found if finding.severity == filters.severity]
    if filters.code:
        found = [finding for finding in found if finding.code == filters.code]
    return {
        "count": len(found),
        "blocking": sum(finding.severity == Severity.BLOCKING for finding in found),
        "items": [_finding_out(finding) for finding in found],
    }


@overrides.post(
    "/{invoice_id}/override-findings",
    response=responses(OverrideOut, 201),
    summary="Passer outre les constats bloquants d'un brouillon de facture",
)
@transaction.atomic
def override_findings(request, invoice_id: PathId, payload: OverrideIn):
    """Réservé à la comptabilité et à la direction (`assistant.override`), motif écrit obligatoire
    (400 `override_reason_required`). 409 `override_not_draft` si la facture est émise,
    `nothing_to_override` si rien ne bloque."""
    invoice = fetch(Invoice.objects.all(), invoice_id)
    override = services.override_blocking(invoice, by=request.auth, reason=payload.reason)
    return Status(201, fetch(FindingOverride.objects.select_related("by"), override.pk))
