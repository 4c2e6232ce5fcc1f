"""How long each kind of archived document is kept, and what kind a document is. No Django models.

French law: accounting documents and their supporting documents (invoices, credit notes, the orders and
delivery notes behind them, supplier invoices received) are kept ten years (Code de commerce,
art. L123-22); other commercial papers (quotes, correspondence) five years, the time within which an
obligation between traders can be claimed (art. L110-4). The period runs to the end of the calendar year
it ends in (a fiscal year that closes on 31 December starts the count at its closing).
"""

import datetime

from django.utils.translation import gettext_noop as N_

ACCOUNTING_YEARS = 10
COMMERCIAL_YEARS = 5

# kind → (label, years kept)
KINDS = {
    "invoice": (N_("Facture"), ACCOUNTING_YEARS),
    "credit_note": (N_("Avoir"), ACCOUNTING_YEARS),
    "order": (N_("Commande"), ACCOUNTING_YEARS),
    "delivery": (N_("Bon de livraison"), ACCOUNTING_YEARS),
    "order_received": (N_("Commande reçue"), ACCOUNTING_YEARS),
    "invoice_received": (N_("Facture reçue"), ACCOUNTING_YEARS),
    "quote": (N_("Devis"), COMMERCIAL_YEARS),
    "email": (N_("E-mail"), COMMERCIAL_YEARS),
    "other": (N_("Autre document"), ACCOUNTING_YEARS),
}

_BY_MODEL = {
    ("billing", "invoice"): "invoice",
    ("sales", "order"): "order",
    ("sales", "quote"): "quote",
    ("stock", "delivery"): "delivery",
    ("intake", "inbounddocument"): "order_received",
}


def kind_of(app: str, model: str, *, media_type: str = "", subkind: str = "") -> str:
    """The kind of an archived file: an e-mail is an e-mail whatever it carried; a credit note is an
    invoice whose own kind says so; a received invoice (intake) is told by the inbound document's kind."""
    if media_type == "message/rfc822":
        return "email"
    kind = _BY_MODEL.get((app, model), "other")
    if kind == "invoice" and subkind == "credit_note":
        return "credit_note"
    if kind == "order_received" and subkind == "invoice":
        return "invoice_received"
    return kind


def years_for(kind: str) -> int:
    return KINDS.get(kind, KINDS["other"])[1]


def retain_until(kind: str, start: datetime.date) -> datetime.date:
    """The last day a file of `kind` dated `start` must be kept: the end of the year its period ends."""
    return datetime.date(start.year + years_for(kind), 12, 31)
