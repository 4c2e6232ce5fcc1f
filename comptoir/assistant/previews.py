"""What approving a proposal would produce, shown before anyone approves it.

For the kinds that draft a document (a credit note, an invoice, a delivery note), the preview is the
document itself: the proposal's own service runs with the viewer's rights inside a transaction that is
then rolled back, so what the inbox shows is exactly what approving would create — the same lines,
amounts, VAT and refusals — and never a second computation that could drift from the service. Drafts
have no number and post nothing, so rolling one back leaves no gap anywhere. Kinds that send something
(a reminder) or act outside the database are never run for a preview; corrections show the line's
current value next to the proposed one.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.assistant import actions
from comptoir.assistant.models import Proposal
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core import money
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.payments.models import Payment
from comptoir.stock.models import Delivery

# Kinds whose service only creates a draft: safe to run and roll back.
DRAFTING = ("create_credit_note", "create_invoice_from_order", "create_milestone_invoice", "create_delivery")
# Corrected field, and how the inbox formats its value (the template's filter).
CORRECTED_FIELD = {
    "set_invoice_line_quantity": ("quantity", "qty"),
    "set_invoice_line_price": ("unit_price", "euros"),
    "set_invoice_line_discount": ("discount_percent", "percent"),
    "set_invoice_line_vat": ("vat_rate", "text"),
}


@dataclass
class Preview:
    title: str = ""
    # Each row: (designation, quantity, unit price excl. VAT or None, discount % or None, net or None,
    # VAT % or None) — a delivery note shows designation and quantity only.
    rows: list[tuple] = field(default_factory=list)
    totals: list[tuple[str, Decimal]] = field(default_factory=list)
    # (what changes, value today, value after approval, format: qty, euros, percent or text)
    changes: list[tuple[str, object, object, str]] = field(default_factory=list)
    refused: str = ""


class _RollBack(Exception):
    """Raised inside the dry run to undo it, carrying what was read before the undo."""

    def __init__(self, preview: Preview):
        self.preview = preview


def preview(proposal: Proposal, user) -> Preview | None:
    if proposal.status != Proposal.Status.OPEN:
        return None
    if proposal.kind in DRAFTING:
        return _dry_run(proposal, user)
    if proposal.kind in CORRECTED_FIELD:
        return _correction(proposal)
    if proposal.kind == "allocate_payment":
        return _allocation(proposal)
    return None


def _dry_run(proposal: Proposal, user) -> Preview | None:
    action = actions.ACTIONS[proposal.kind]
    try:
        with transaction.atomic():
            result = action.run(proposal.payload, user, proposal)
            raise _RollBack(_document(result))
    except _RollBack as undone:
        return undone.preview
    except PermissionDenied:
        return None  # who may not decide sees the proposal, not a draft made with rights they lack
    except DomainError as refused:
        return Preview(refused=refused.message)


def _document(result: dict) -> Preview:
    if result["kind"] == "delivery":
        delivery = Delivery.objects.get(pk=result["id"])
        return Preview(
            title=_("Bon de livraison proposé"),
            rows=[
                (f"{line.product.sku} — {line.order_line.description}", line.quantity, None, None, None, None)
                for line in delivery.lines.select_related("product", "order_line").order_by("id")
            ],
        )
    invoice = Invoice.objects.get(pk=result["id"])
    return Preview(
        title=_("Avoir proposé") if invoice.kind == Invoice.Kind.CREDIT_NOTE else _("Facture proposée"),
        rows=[
            (
                f"{line.product.sku} — {line.description}",
                line.quantity,
                line.unit_price,
                line.discount_percent,
                line.net_amount,
                line.vat_rate,
            )
            for line in invoice.lines.select_related("product").order_by("position", "id")
        ],
        totals=[
            (_("Total HT"), invoice.total_untaxed),
            (_("TVA"), invoice.total_vat),
            (_("Total TTC"), invoice.total),
        ]
        + ([(_("Acomptes déduits"), invoice.deposits_deducted)] if invoice.deposits_deducted else []),
    )


def _correction(proposal: Proposal) -> Preview | None:
    line = (
        InvoiceLine.objects.select_related("product")
        .filter(pk=proposal.payload.get("invoice_line_id"), invoice_id=proposal.payload.get("invoice_id"))
        .first()
    )
    if line is None:
        return None
    name, shown_as = CORRECTED_FIELD[proposal.kind]
    if name == "vat_rate":
        proposed = (
            f"{money.fr(Decimal(proposal.payload['vat_rate']))} % ({proposal.payload.get('vat_category')})"
        )
        current = f"{money.fr(line.vat_rate)} % ({line.vat_category})"
    else:
        current, proposed = getattr(line, name), Decimal(proposal.payload[name])
    label = str(InvoiceLine._meta.get_field(name).verbose_name)
    return Preview(changes=[(f"{line.product.sku} — {label}", current, proposed, shown_as)])


def _allocation(proposal: Proposal) -> Preview | None:
    payment = Payment.objects.filter(pk=proposal.payload.get("payment_id")).first()
    allocations = proposal.payload.get("allocations", [])
    numbers = dict(
        Invoice.objects.filter(pk__in=[a.get("invoice_id") for a in allocations]).values_list("pk", "number")
    )
    if payment is None:
        return None
    return Preview(
        title=_("Affectation du règlement %(number)s") % {"number": payment.number},
        rows=[
            (numbers.get(a.get("invoice_id"), "?"), None, None, None, Decimal(a["amount"]), None)
            for a in allocations
        ],
    )
