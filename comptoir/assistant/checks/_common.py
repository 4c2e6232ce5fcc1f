"""What the checks share: thresholds, evidence and wording helpers. Pure."""

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext, pgettext

from comptoir.assistant.chain import (
    Chain,
    Delivery,
    DeliveryLine,
    Invoice,
    InvoiceLine,
    Kind,
)
from comptoir.assistant.findings import Evidence, Severity

ZERO = Decimal("0")
CENT = Decimal("0.01")
DUPLICATE_WINDOW_DAYS = 7
# Subset search for payments: combinations of up to this many open invoices, among the oldest ones.
MAX_COMBINATION = 3
MAX_OPEN_ITEMS = 25
# A payment of the same amount as another of the customer's within this many days may be entered twice.
PAYMENT_TWIN_DAYS = 5
# A payment short of (or above) an invoice's balance by at most max(1 €, 0.5 %) is a bank fee or rounding.
NEAR_MISS_FLOOR = Decimal("1")
NEAR_MISS_SHARE = Decimal("0.005")
# When the transfer's reference names the invoice, a shortfall up to max(5 €, 2 %) is still that invoice's
# payment less the fees (an international transfer's charges are a few euros, whatever the amount).
NEAR_MISS_NAMED_FLOOR = Decimal("5")
NEAR_MISS_NAMED_SHARE = Decimal("0.02")
# What an invoice may be left owing after its payments and still be only a leftover.
SMALL_BALANCE = Decimal("1")


# --- Evidence helpers ---------------------------------------------------------------------------


def _invoice_ev(invoice: Invoice, line: InvoiceLine | None = None, **values) -> Evidence:
    if line is not None:
        values = {"product": line.product.sku, **values}
    return Evidence(invoice.evidence_kind, _label(invoice), invoice.id, line.id if line else None, values)


def _delivery_ev(delivery: Delivery, line: DeliveryLine | None = None, **values) -> Evidence:
    if line is not None:
        values = {"product": line.product.sku, **values}
    return Evidence("delivery", delivery.number, delivery.id, line.id if line else None, values)


def _order_ev(chain: Chain, line=None, **values) -> Evidence:
    if line is not None:
        values = {"product": line.product.sku, **values}
    return Evidence("order", chain.order.number, chain.order.id, line.id if line else None, values)


def _label(invoice: Invoice) -> str:
    """The invoice's number, or « brouillon n° 12 » for a draft."""
    return invoice.number or gettext("brouillon n° %(pk)s") % {"pk": invoice.id}


def _noun(invoice: Invoice) -> str:
    """« la facture », « l'avoir », « la facture d'acompte »: the document as a sentence names it."""
    if invoice.kind == Kind.CREDIT_NOTE:
        return pgettext("document named in a sentence", "l'avoir")
    if invoice.kind == Kind.DEPOSIT:
        return pgettext("document named in a sentence", "la facture d'acompte")
    return pgettext("document named in a sentence", "la facture")


def _draft_or_issued(invoice: Invoice) -> str:
    return Severity.BLOCKING if invoice.is_draft else Severity.WARNING


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


def _delivered(delivery: Delivery, line: DeliveryLine) -> Decimal:
    return line.quantity if delivery.counts_as_delivered else ZERO


def _billed_delivery_lines(chain: Chain, invoice: Invoice) -> dict[int, list[InvoiceLine]]:
    """The invoice's lines grouped by the delivery line they bill (only delivery lines in the chain)."""
    grouped: dict[int, list[InvoiceLine]] = defaultdict(list)
    for line in invoice.lines:
        if line.delivery_line_id in chain.delivery_line_by_id:
            grouped[line.delivery_line_id].append(line)
    return grouped
