"""Writing a small payment gap off (« écart de règlement »): a transfer a bank fee or a rounding short of
the invoice it pays, an invoice left owing a few cents after its payments, or a few cents paid beyond it.

`write_off_payment_gap` allocates what the payment left unallocated to the invoice (up to its balance)
and writes the gap off in the same entry (OD, numbered by the payment, or by the invoice for a leftover
without a payment): a shortfall to 658 « charges diverses de gestion courante » (411 credit, lettered
with the invoice, which it settles), an excess to 758 « produits divers de gestion courante » (411
debit, lettered with the payment's unallocated line, which it uses up). The gap is bounded by the
company's threshold (`ApprovalPolicy.write_off_threshold`): beyond it, the money is claimed from the
customer or a credit note is made. No VAT moves on a sale whose VAT fell due at invoicing (goods, or
services under the debits option): the gap is a cost of collection, not a price reduction. On services
whose VAT is due on receipt, the write-off settles the invoice and, like the payment that settles an
invoice, releases what VAT is left waiting (44574 → 44571), so the pending account never keeps a
settled invoice's VAT.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from comptoir.accounting import chart, periods
from comptoir.accounting import services as ledger
from comptoir.billing.models import Invoice
from comptoir.core import approvals, audit, dates, permissions, rows
from comptoir.core.errors import NotFound
from comptoir.core.errors import fail as _fail
from comptoir.payments import errors
from comptoir.payments.allocating import (
    _allocation_lines,
    _euros,
    _letter_settled_invoices,
    _letter_used_advance,
    _record_allocations,
    _vat_releases,
    allocated_totals,
    unallocated,
)
from comptoir.payments.models import Payment, PaymentAllocation, PaymentWriteOff, VatRelease

ZERO = Decimal("0")


def write_off_threshold() -> Decimal:
    return approvals.thresholds().write_off_threshold


def _locked_invoice(invoice) -> Invoice:
    pk = getattr(invoice, "pk", invoice)
    try:
        return Invoice.objects.select_for_update().select_related("customer").get(pk=pk)
    except (Invoice.DoesNotExist, TypeError, ValueError):
        raise NotFound(*errors.UNKNOWN_INVOICE, value=pk) from None


def _locked_payment(payment) -> Payment:
    pk = getattr(payment, "pk", payment)
    try:
        return Payment.objects.select_for_update().get(pk=pk)
    except (Payment.DoesNotExist, TypeError, ValueError):
        raise NotFound(*errors.UNKNOWN_PAYMENT, value=pk) from None


@transaction.atomic
def write_off_payment_gap(
    invoice: Invoice,
    *,
    by,
    payment: Payment | None = None,
    date: datetime.date | None = None,
    reason: str = "",
) -> PaymentWriteOff:
    """Settle `invoice` with what `payment` left unallocated and write the small gap off.

    With a payment left short of the invoice's balance: its rest is allocated and the shortfall is a
    loss (658). With a payment beyond the balance: the balance is allocated and the excess is a gain
    (758). Without a payment (or one already allocated to the invoice): the invoice's leftover, after
    payments that settled part of it, is a loss. Refused above the company's threshold, on an invoice
    nothing was ever paid on, and when nothing is left to write off.
    """
    permissions.require(by, "payment.write_off")
    invoice = _locked_invoice(invoice)
    if invoice.status != Invoice.Status.ISSUED or invoice.kind == Invoice.Kind.CREDIT_NOTE:
        _fail(errors.INVOICE_NOT_ISSUED, number=invoice, state=invoice.get_status_display())
    customer = invoice.customer
    already = allocated_totals([invoice.pk])
    balance = invoice.amount_payable - already.get(invoice.pk, ZERO)
    if balance <= 0:
        _fail(errors.WRITE_OFF_NOTHING_DUE, number=invoice.number)
    left = ZERO
    if payment is not None:
        payment = _locked_payment(payment)
        if payment.customer_id != customer.pk:
            _fail(errors.OTHER_CUSTOMER, number=invoice.number)
        left = unallocated(payment)
        if left <= 0 and not PaymentAllocation.objects.filter(payment=payment, invoice=invoice).exists():
            _fail(errors.NOTHING_UNALLOCATED, number=payment.number)
    if left <= 0 and already.get(invoice.pk, ZERO) <= 0:
        # Nothing paid: the whole invoice is owed, which is a debt to claim, never a gap to write off.
        _fail(errors.WRITE_OFF_NOTHING_PAID, number=invoice.number)
    allocate = min(left, balance)
    loss = balance - allocate
    gain = left - allocate
    gap = loss or gain
    if gap <= 0:
        _fail(errors.WRITE_OFF_NO_GAP, number=invoice.number, payment=payment.number if payment else "")
    threshold = write_off_threshold()
    if gap > threshold:
        _fail(errors.WRITE_OFF_ABOVE_THRESHOLD, gap=_euros(gap), threshold=_euros(threshold))
    follows = dates.follows(f"la facture {invoice.number}", invoice.date)
    if payment is not None:
        follows += dates.follows(f"le règlement {payment.number}", payment.date)
    date = periods.check_business_date(date, follows=follows)

    label = f"Écart de règlement {invoice.number}" + (f" {payment.number}" if payment else "")
    invoices = {invoice.pk: invoice}
    # What settles the invoice here: the money allocated and the loss written off.
    releases = _vat_releases(invoices, [(invoice.pk, allocate + loss)], already)
    wanted = [(invoice.pk, allocate)] if allocate else []
    lines = []
    if allocate:
        lines.append(ledger.Line(chart.CUSTOMERS, debit=allocate, label=label, partner_id=customer.pk))
    if gain:
        gain_at = len(lines)
        lines.append(ledger.Line(chart.CUSTOMERS, debit=gain, label=label, partner_id=customer.pk))
        lines.append(ledger.Line(chart.WRITE_OFF_GAIN, credit=gain, label=label))
    allocation_at = len(lines)
    lines.extend(_allocation_lines(customer, label, wanted, invoices, releases if allocate else {}))
    if loss:
        lines.append(ledger.Line(chart.WRITE_OFF_LOSS, debit=loss, label=label))
        loss_at = len(lines)
        lines.append(ledger.Line(chart.CUSTOMERS, credit=loss, label=label, partner_id=customer.pk))
    if releases and not allocate:
        for (_invoice_id, rate), moved in releases.items():
            vat_label = f"TVA encaissée {invoice.number}"
            lines.append(ledger.Line(chart.VAT_PENDING, debit=moved, label=vat_label, vat_rate=rate))
            lines.append(ledger.Line(chart.VAT_COLLECTED, credit=moved, label=vat_label, vat_rate=rate))
    entry, posted = ledger.post_entry(
        "OD",
        date=date,
        label=label,
        document_number=payment.number if payment else invoice.number,
        lines=lines,
    )
    write_off = rows.insert_one(
        PaymentWriteOff(
            payment=payment,
            invoice=invoice,
            kind=PaymentWriteOff.Kind.LOSS if loss else PaymentWriteOff.Kind.GAIN,
            amount=gap,
            date=date,
            entry=entry,
            entry_line=posted[loss_at] if loss else posted[gain_at],
            created_by=by if getattr(by, "pk", None) else None,
        )
    )
    settling = {invoice.pk: already.get(invoice.pk, ZERO) + loss}
    if allocate:
        _record_allocations(
            payment,
            wanted,
            invoices,
            settling,
            releases,
            posted[allocation_at : allocation_at + 1],
            date=date,
        )
    else:
        rows.insert_many(
            [
                VatRelease(invoice_id=invoice.pk, vat_rate=rate, amount=moved)
                for (_invoice_id, rate), moved in releases.items()
            ]
        )
        _letter_settled_invoices([invoice], date=date)
    if payment is not None and left > 0 and allocate + gain == left:
        _letter_used_advance(payment, date=date)
    audit.record(
        "payment.written_off",
        by=by,
        obj=invoice,
        data={
            "invoice": invoice.number,
            "payment": payment.number if payment else None,
            "allocated": allocate,
            "kind": write_off.kind,
            "gap": gap,
            "threshold": threshold,
            "reason": reason[:500],
            "entry": entry.seal,
        },
    )
    return write_off
