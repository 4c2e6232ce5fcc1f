"""The totals of an invoice from its rows: lines, and document-level allowances and charges (BG-20/21).

The arithmetic is `core.taxes` (pure); this module only reads the rows and refuses a breakdown that an
allowance would make negative.
"""

from comptoir.billing import errors
from comptoir.billing.models import AllowanceCharge
from comptoir.core import money
from comptoir.core.compiled import Compiled
from comptoir.core.errors import fail
from comptoir.core.taxes import Adjustment, Totals, document_totals

_ADJUSTMENTS = Compiled(
    lambda invoice_id: AllowanceCharge.objects.filter(invoice_id=invoice_id).order_by("position", "id")
)


def adjustments_of(invoice) -> list[AllowanceCharge]:
    """The allowances and charges of an invoice (none for a row not saved yet)."""
    if invoice.pk is None:
        return []
    return _ADJUSTMENTS.objects(invoice.pk, invoice=invoice)


def invoice_totals(lines, adjustments=()) -> Totals:
    """Totals of `lines` (InvoiceLine) with the document's `adjustments` (AllowanceCharge); refused when
    the allowances of a VAT rate exceed the lines and charges of that rate (a negative VAT base)."""
    totals = document_totals(
        ((line.net_amount, line.vat_rate, line.vat_category) for line in lines),
        [Adjustment(a.amount, a.vat_rate, a.vat_category, a.is_charge) for a in adjustments],
    )
    for tax in totals.taxes:
        if tax.base < 0:
            fail(
                errors.ADJUSTMENT_EXCEEDS_BASE,
                rate=money.fr(tax.rate),
                category=tax.category,
                base=money.fr(tax.lines_base),
            )
    return totals


def set_totals(invoice, totals: Totals) -> list[str]:
    """Copy the totals onto the invoice; returns the fields written, for `save(update_fields=…)`."""
    invoice.total_untaxed, invoice.total_vat, invoice.total = totals.untaxed, totals.vat, totals.total
    invoice.total_allowances, invoice.total_charges = totals.allowances, totals.charges
    return ["total_untaxed", "total_vat", "total", "total_allowances", "total_charges"]
